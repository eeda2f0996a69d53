package dev.halb.core.admin;

import static dev.halb.core.admin.AdminFixture.assertClosedByServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Admin connections that say nothing, stop half-way or trickle are closed by the request and
 * idle timeouts, while {@code /health} goes on answering. The timeouts are short here; the
 * assertions on time are lower bounds, which a timer cannot miss: it never fires early.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminTimeoutsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final AdminFixture admin = new AdminFixture();
    private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTrickling() {
        trickler.shutdownNow();
    }

    @Test
    void silentAndHalfSentConnectionsAreClosedAtTheRequestTimeoutWhileHealthAnswers() throws Exception {
        // 2 s: enough to open 200 connections and ask for /health before any timer fires, even
        // on a loaded machine.
        admin.start(2_000, 3_000, 256);
        long start = System.nanoTime();
        List<Socket> silent = new ArrayList<>();
        List<Socket> halfSent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            silent.add(admin.connect());
            halfSent.add(admin.send("GET /heal"));
        }
        await().atMost(Duration.ofSeconds(2)).until(admin.server()::openConnections, n -> n == 200);
        for (int i = 0; i < 3; i++) {
            assertThat(admin.health()).isEqualTo(200);
        }

        for (Socket s : halfSent) {
            AdminFixture.Reply r = AdminFixture.read(s);
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.header("Connection")).isEqualTo("close");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("error").asText()).isEqualTo("request_timeout");
            assertThat(body.get("message").asText()).contains("2000 ms");
            assertClosedByServer(s);
        }
        for (Socket s : silent) {
            assertClosedByServer(s); // without a word: the client had not asked anything
        }
        assertThat(elapsedMs(start)).isGreaterThanOrEqualTo(2_000);
        assertThat(admin.health()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(admin.server()::openConnections, n -> n == 0);
    }

    @Test
    void aKeepAliveConnectionServesRequestsThenIsClosedAfterTheIdleTimeout() throws Exception {
        admin.start(300, 1_000, 256);
        Socket s = admin.connect();
        for (int i = 0; i < 3; i++) {
            AdminFixture.write(s, "GET /health HTTP/1.1\r\nHost: admin\r\n\r\n");
            assertThat(AdminFixture.read(s).status()).isEqualTo(200);
        }
        long answered = System.nanoTime();
        assertClosedByServer(s);
        // The idle timer started when the last response left, before it was read here: a
        // little under 1 000 ms may pass on this side, but far more than the 300 ms request
        // timeout, which therefore did not close it.
        assertThat(elapsedMs(answered)).isGreaterThanOrEqualTo(600);
    }

    @Test
    void aTricklingRequestIsClosedAtTheRequestTimeout() throws Exception {
        admin.start(500, 10_000, 256);
        long start = System.nanoTime();
        Socket s = admin.send("GET /health HTTP/1.1\r\n");
        AtomicInteger lines = new AtomicInteger();
        trickler.scheduleAtFixedRate(() -> {
            try {
                AdminFixture.write(s, "X-Slow-" + lines.incrementAndGet() + ": 1\r\n");
            } catch (IOException e) {
                throw new IllegalStateException("closed", e); // ends the schedule
            }
        }, 50, 50, TimeUnit.MILLISECONDS);

        AdminFixture.Reply r = AdminFixture.read(s);
        long closedAfter = elapsedMs(start);
        assertThat(r.status()).isEqualTo(408);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("request_timeout");
        assertClosedByServer(s);
        assertThat(lines.get()).as("header lines sent before the timeout").isGreaterThanOrEqualTo(3);
        // Not reset by the bytes that kept coming, and long before the idle timeout.
        assertThat(closedAfter).isBetween(500L, 9_000L);
    }

    private static long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
