package dev.halb.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halb.core.config.AccessLogFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The writer behind its queue, and the two formats of a record. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessLogWriterTest {

    private static final long START = Instant.parse("2025-03-01T12:00:07.042Z").toEpochMilli();

    static AccessRecord retried() {
        return new AccessRecord(START, 1_234_000_000L, new InetSocketAddress("127.0.0.1", 51234), "web", "b1",
                new InetSocketAddress("127.0.0.1", 9001), "a", "p2c/local", 2, List.of("b0"), 153_000, 12, 3456,
                ConnectionEnd.CLIENT_FIN);
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        // A disk that does not answer: the first write blocks until the test releases it.
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.write(b, off, len);
            }
        };
        AtomicInteger counted = new AtomicInteger();
        int capacity = 8;
        AccessLogWriter w = new AccessLogWriter(RecordFormat.of(AccessLogFormat.JSON), () -> slow, capacity,
                counted::incrementAndGet);
        try {
            w.log(retried());
            assertThat(writing.await(30, TimeUnit.SECONDS)).as("the writer took the first record and is stuck").isTrue();
            // The queue takes `capacity` more; every one after is dropped, and log() returns at once.
            for (int i = 0; i < capacity + 100; i++) {
                w.log(retried());
            }
            assertThat(w.dropped()).isEqualTo(100);
            assertThat(counted).hasValue(100);
        } finally {
            release.countDown();
            w.close();
        }
        String[] lines = written.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(1 + capacity);
    }

    @Test
    void jsonHasEveryFieldInOrder() throws Exception {
        StringBuilder sb = new StringBuilder();
        RecordFormat.of(AccessLogFormat.JSON).append(retried(), sb);
        assertThat(sb.toString()).isEqualTo("{\"start\":\"2025-03-01T12:00:07.042Z\",\"durationMs\":1234,"
                + "\"client\":\"127.0.0.1:51234\",\"vip\":\"web\",\"backend\":\"b1\",\"backendAddress\":\"127.0.0.1:9001\","
                + "\"backendZone\":\"a\",\"pick\":\"p2c/local\",\"attempts\":2,\"failed\":[\"b0\"],\"connectMs\":0.153,"
                + "\"bytesIn\":12,\"bytesOut\":3456,\"end\":\"client_fin\"}");
        JsonNode n = new ObjectMapper().readTree(sb.toString());
        assertThat(n.get("failed").get(0).asText()).isEqualTo("b0");
    }

    @Test
    void textIsOneLineInFixedOrder() {
        StringBuilder sb = new StringBuilder();
        RecordFormat.of(AccessLogFormat.TEXT).append(retried(), sb);
        assertThat(sb.toString()).isEqualTo("2025-03-01T12:00:07.042Z 1234 127.0.0.1:51234 web b1 127.0.0.1:9001 a "
                + "p2c/local 2 b0 0.153 12 3456 client_fin");
    }

    @Test
    void aRefusedClientHasDashesAndNulls() throws Exception {
        AccessRecord refused = new AccessRecord(START, 0, new InetSocketAddress("127.0.0.1", 40000), "web", null,
                null, "", null, 0, List.of(), -1, 0, 0, ConnectionEnd.MAX_CONNECTIONS);
        StringBuilder text = new StringBuilder();
        RecordFormat.of(AccessLogFormat.TEXT).append(refused, text);
        assertThat(text.toString()).isEqualTo("2025-03-01T12:00:07.042Z 0 127.0.0.1:40000 web - - - - 0 - - 0 0 max_connections");
        StringBuilder json = new StringBuilder();
        RecordFormat.of(AccessLogFormat.JSON).append(refused, json);
        JsonNode n = new ObjectMapper().readTree(json.toString());
        assertThat(n.get("backend").asText()).isEqualTo("-");
        assertThat(n.get("backendAddress").isNull()).isTrue();
        assertThat(n.get("connectMs").isNull()).isTrue();
        assertThat(n.get("end").asText()).isEqualTo("max_connections");
    }

    @Test
    void namesAreEscapedInJson() throws Exception {
        AccessRecord odd = new AccessRecord(START, 0, new InetSocketAddress("::1", 1), "web", "a\"b\\c\nd",
                new InetSocketAddress("::1", 2), "", "p2c/disabled", 1, List.of(), 0, 0, 0, ConnectionEnd.BACKEND_FIN);
        StringBuilder json = new StringBuilder();
        RecordFormat.of(AccessLogFormat.JSON).append(odd, json);
        JsonNode n = new ObjectMapper().readTree(json.toString());
        assertThat(n.get("backend").asText()).isEqualTo("a\"b\\c\nd");
        assertThat(n.get("client").asText()).isEqualTo("[0:0:0:0:0:0:0:1]:1");
    }

    @Test
    void reopenSwitchesStreamsBetweenBatches() throws Exception {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        AtomicInteger opened = new AtomicInteger();
        Sink sink = () -> opened.getAndIncrement() == 0 ? first : second;
        AccessLogWriter w = new AccessLogWriter(RecordFormat.of(AccessLogFormat.TEXT), sink, 64, () -> { });
        try {
            w.log(retried());
            await().atMost(Duration.ofSeconds(20)).until(() -> first.size() > 0);
            w.reopen();
            await().atMost(Duration.ofSeconds(20)).until(() -> opened.get() == 2);
            w.log(retried());
            await().atMost(Duration.ofSeconds(20)).until(() -> second.size() > 0);
        } finally {
            w.close();
        }
        assertThat(first.toString(StandardCharsets.UTF_8).split("\n")).hasSize(1);
        assertThat(second.toString(StandardCharsets.UTF_8).split("\n")).hasSize(1);
    }

    @Test
    void closeWritesWhatIsQueued() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLogWriter w = new AccessLogWriter(RecordFormat.of(AccessLogFormat.TEXT), () -> out, 4096, () -> { });
        for (int i = 0; i < 3000; i++) {
            w.log(retried());
        }
        w.close();
        assertThat(out.toString(StandardCharsets.UTF_8).split("\n")).hasSize(3000);
    }
}
