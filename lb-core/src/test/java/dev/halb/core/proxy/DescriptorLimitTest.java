package dev.halb.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.testing.Clients;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HalbProcess;
import dev.halb.core.testing.TestBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A replica run out of file descriptors (a child JVM under {@code ulimit -n}) by clients that hold
 * their connections open: it blames no backend (nothing ejected, no connect failure, every
 * backend healthy), turns the clients it cannot serve away (closed and counted as
 * {@code no_resources}, in the metrics and the access log), keeps its log to a few lines
 * however many clients it turns away, and serves again once descriptors are free.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DescriptorLimitTest {

    private static final int OPEN_FILE_LIMIT = 320;
    private static final int CLIENTS = 400;
    private static final Pattern NO_RESOURCES =
            Pattern.compile("halb_rejected_total\\{vip=\"web\",reason=\"no_resources\",} ([0-9.]+)");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void atTheLimitNoBackendIsBlamedAndTheReplicaRecovers(Transport transport) throws Exception {
        int adminPort = FreePorts.next();
        int vipPort = FreePorts.next();
        InetSocketAddress vip = new InetSocketAddress("127.0.0.1", vipPort);
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
        List<Socket> held = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(32);
        try (TestBackend a = TestBackend.echo(); TestBackend b = TestBackend.echo(); TestBackend c = TestBackend.echo()) {
            Path config = Files.writeString(dir.resolve("halb.yaml"), """
                    replica: { id: fd-test }
                    admin: { bind: 127.0.0.1:%d }
                    accessLog: { format: json, path: "%s" }
                    vips:
                      - name: web
                        bind: 127.0.0.1:%d
                        maxConnections: 1000
                        healthCheck: { type: tcp, intervalMs: 200, timeoutMs: 100 }
                        outlierDetection: { consecutiveFailures: 1, maxEjectionPercent: 100 }
                        backends:
                          - { address: 127.0.0.1, port: %d }
                          - { address: 127.0.0.1, port: %d }
                          - { address: 127.0.0.1, port: %d }
                    """.formatted(adminPort, dir.resolve("access.json"), vipPort, a.port(), b.port(), c.port()));
            try (HalbProcess halb = HalbProcess.start(dir, OPEN_FILE_LIMIT,
                    List.of("-Xmx256m", "-D" + Transport.PROPERTY + "=" + transport.label()),
                    "run", "--config", config.toString())) {
                halb.awaitReady(admin);
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> Clients.get(admin, "/api/v1/vips").body().split("\"healthy\"").length == 4);

                // Clients that hold their connection open until halb runs out of descriptors.
                ConcurrentLinkedQueue<Socket> served = new ConcurrentLinkedQueue<>();
                AtomicInteger turnedAway = new AtomicInteger();

                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    done.add(clients.submit(() -> {
                        Socket s = new Socket();
                        try {
                            s.setSoTimeout(1_000);
                            s.connect(vip, 1_000);
                            s.getOutputStream().write('x');
                            if (s.getInputStream().read() == 'x') {
                                served.add(s);
                                return;
                            }
                        } catch (IOException e) {
                            // refused, reset, closed or left waiting in the backlog: turned away
                        }
                        turnedAway.incrementAndGet();
                        closeQuietly(s);
                    }));
                }
                for (var f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
                held.addAll(served);
                assertThat(turnedAway.get()).as("clients turned away at the descriptor limit").isPositive();
                assertThat(held.size()).as("clients served up to the limit").isLessThan(OPEN_FILE_LIMIT / 2);
                String logAtLimit = halb.output();

                for (Socket s : held) {
                    closeQuietly(s);
                }
                held.clear();

                // Serving again: a client gets its echo, and the state says no backend was blamed.
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                    try (Socket s = Clients.connect(vip)) {
                        s.getOutputStream().write('y');
                        assertThat(s.getInputStream().read()).isEqualTo('y');
                    }
                });
                String vips = Clients.get(admin, "/api/v1/vips").body();
                assertThat(vips.split("\"healthy\"").length - 1).as("backends healthy: %s", vips).isEqualTo(3);
                String metrics = Clients.get(admin, "/metrics").body();
                assertThat(metrics).doesNotContainPattern("halb_ejections_total\\{[^}]*\\} [1-9]")
                        .doesNotContainPattern("halb_connect_failures_total\\{[^}]*\\} [1-9]");
                // At the limit either the backend socket fails or the accept does; either way clients
                // are closed and counted (an accept that fails frees a descriptor held in reserve, so
                // that the next client can be accepted and closed instead of left in the backlog).
                Matcher m = NO_RESOURCES.matcher(metrics);
                assertThat(m.find()).as(metrics).isTrue();
                assertThat(Double.parseDouble(m.group(1))).as("clients counted as no_resources:%n%s", logAtLimit)
                        .isPositive();
                assertThat(logAtLimit.lines().count()).as("log lines while %d clients were turned away:%n%s",
                        turnedAway.get(), logAtLimit).isLessThan(60);
                assertThat(logAtLimit).doesNotContain("Exception");
                // The access log has a record for each client turned away this way.
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                        new dev.halb.core.testing.AccessLogFile(dir.resolve("access.json")).records())
                        .filteredOn(r -> r.get("end").asText().equals("no_resources")).isNotEmpty());
                assertThat(halb.isAlive()).isTrue();
            }
        } finally {
            held.forEach(DescriptorLimitTest::closeQuietly);
            clients.shutdownNow();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
