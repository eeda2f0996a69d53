package dev.halb.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.core.config.AccessLogConfig;
import dev.halb.core.config.AccessLogFormat;
import dev.halb.core.config.DrainConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.Strategy;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AccessLogFile;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.ScriptedBackend;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log of a real replica, read back from its JSON file: the decision (pick, attempts,
 * failed), the bytes, and the ends that refusals and halb's own closes produce. The ends that
 * clients, backends and timeouts produce are checked on every transport by the termination matrix.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AccessLogEndToEndTest {

    @TempDir
    Path dir;

    private static final String ISO_MILLIS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    private HalbConfig replica(AccessLogFile log, VipConfig vip) {
        return TestConfigs.replica(vip).withAccessLog(log.config());
    }

    private static VipConfig roundRobin(VipConfig v) {
        return new VipConfig(v.name(), v.bind(), v.service(), Strategy.ROUND_ROBIN, v.zoneAffinity(), v.regionFailover(),
                v.backends(),
                v.healthCheck(), v.outlierDetection(), v.connectTimeoutMs(), v.connectRetries(), v.idleTimeoutMs(),
                v.finTimeoutMs(), v.maxConnections(), v.proxyProtocol(), v.allowedBackendCidrs());
    }

    @Test
    void aConnectionRetriedPastADeadBackendLogsBothAttemptsAndTheDeadOne() throws Exception {
        AccessLogFile log = new AccessLogFile(dir.resolve("access.json"));
        // A bound, unconnected socket: connects to its port are refused.
        try (Socket dead = new Socket(); TestBackend live = TestBackend.echo()) {
            dead.bind(new InetSocketAddress("127.0.0.1", 0));
            String deadId = "127.0.0.1:" + dead.getLocalPort();
            String liveId = "127.0.0.1:" + live.port();
            VipConfig vip = roundRobin(TestConfigs.vip("web", List.of(TestConfigs.backend(dead.getLocalPort()),
                    TestConfigs.backend(live.port()))));
            try (Replica replica = Replica.start(replica(log, vip), Replica.Options.defaults())) {
                // Round-robin alternates, so one of the first two connections picks the dead one first.
                for (int i = 0; i < 2; i++) {
                    roundTrip(replica.vipAddress("web"), "ping " + i);
                }
                List<JsonNode> records = log.await(2);
                assertThat(records).extracting(r -> r.get("backend").asText()).containsOnly(liveId);
                JsonNode retried = records.stream().filter(r -> r.get("attempts").asInt() == 2).findFirst()
                        .orElseThrow(() -> new AssertionError("no record with attempts 2: " + records));
                assertThat(retried.get("failed")).hasSize(1);
                assertThat(retried.get("failed").get(0).asText()).isEqualTo(deadId);
                assertThat(retried.get("pick").asText()).isEqualTo("round-robin/no_local_zone");
                assertThat(retried.get("end").asText()).isEqualTo("client_fin");
                assertThat(retried.get("backendAddress").asText()).isEqualTo(liveId);
                assertThat(retried.get("connectMs").isNumber()).isTrue();
            }
        }
    }

    private static void roundTrip(InetSocketAddress vip, String text) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        try (Socket s = Clients.connect(vip)) {
            s.getOutputStream().write(data);
            s.shutdownOutput();
            assertThat(Clients.readToEnd(s.getInputStream())).isEqualTo(data);
        }
    }

    @Test
    void bytesInAndOutAreWhatTheClientSentAndGot() throws Exception {
        AccessLogFile log = new AccessLogFile(dir.resolve("access.json"));
        byte[] answer = new byte[777];
        try (ScriptedBackend backend = ScriptedBackend.start(s -> {
            ScriptedBackend.readToEnd(s);
            s.getOutputStream().write(answer);
        })) {
            VipConfig vip = TestConfigs.vip("web", List.of(TestConfigs.backend(backend.port())));
            try (Replica replica = Replica.start(replica(log, vip), Replica.Options.defaults());
                 Socket s = Clients.connect(replica.vipAddress("web"))) {
                s.getOutputStream().write(new byte[50_000]);
                s.shutdownOutput();
                byte[] got = Clients.readToEnd(s.getInputStream());
                assertThat(got).hasSize(777);
                JsonNode r = log.await(1).get(0);
                assertThat(r.get("bytesIn").asLong()).isEqualTo(50_000);
                assertThat(r.get("bytesOut").asLong()).isEqualTo(777);
                assertThat(r.get("start").asText()).matches(ISO_MILLIS);
                assertThat(r.get("durationMs").asLong()).isNotNegative();
                assertThat(r.get("client").asText()).isEqualTo("127.0.0.1:" + s.getLocalPort());
                assertThat(r.get("vip").asText()).isEqualTo("web");
                assertThat(r.get("backend").asText()).isEqualTo("127.0.0.1:" + backend.port());
                assertThat(r.get("backendZone").asText()).isEmpty();
                assertThat(r.get("attempts").asInt()).isEqualTo(1);
                assertThat(r.get("failed")).isEmpty();
                assertThat(r.get("end").asText()).isEqualTo("client_fin");
            }
        }
    }

    @Test
    void noBackendIsLogged() throws Exception {
        AccessLogFile log = new AccessLogFile(dir.resolve("access.json"));
        try (Replica replica = Replica.start(replica(log, TestConfigs.vip("web", List.of())), Replica.Options.defaults());
             Socket s = Clients.connect(replica.vipAddress("web"))) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            JsonNode r = log.await(1).get(0);
            assertThat(r.get("end").asText()).isEqualTo("no_backend");
            assertThat(r.get("backend").asText()).isEqualTo("-");
            assertThat(r.get("attempts").asInt()).isZero();
            assertThat(r.get("pick").asText()).isEqualTo("p2c/no_candidates");
        }
    }

    @Test
    void aClientBeyondMaxConnectionsIsLogged() throws Exception {
        AccessLogFile log = new AccessLogFile(dir.resolve("access.json"));
        try (TestBackend echo = TestBackend.echo()) {
            VipConfig vip = TestConfigs.withLimits(TestConfigs.vip("web", echo), 1, 600_000);
            try (Replica replica = Replica.start(replica(log, vip), Replica.Options.defaults());
                 Socket first = Clients.connect(replica.vipAddress("web"))) {
                first.getOutputStream().write('x');
                assertThat(first.getInputStream().read()).isEqualTo('x');
                try (Socket second = Clients.connect(replica.vipAddress("web"))) {
                    assertThat(second.getInputStream().read()).isEqualTo(-1);
                }
                JsonNode r = log.await(1).get(0);
                assertThat(r.get("end").asText()).isEqualTo("max_connections");
                assertThat(r.get("backend").asText()).isEqualTo("-");
            }
        }
    }

    @Test
    void connectionsLeftWhenTheDrainRunsOutAreLoggedAsDraining() throws Exception {
        AccessLogFile log = new AccessLogFile(dir.resolve("access.json"));
        try (TestBackend echo = TestBackend.echo()) {
            HalbConfig c = replica(log, TestConfigs.vip("web", echo));
            c = new HalbConfig(c.replica(), c.discovery(), c.admin(), c.vips(), new DrainConfig(0, 300), c.dns(), c.peers(), c.accessLog());
            Replica replica = Replica.start(c, Replica.Options.defaults());
            try (Socket s = Clients.connect(replica.vipAddress("web"))) {
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x');
                replica.drain();
                JsonNode r = log.await(1).get(0);
                assertThat(r.get("end").asText()).isEqualTo("draining");
                assertThat(r.get("bytesIn").asLong()).isEqualTo(1);
                assertThat(r.get("bytesOut").asLong()).isEqualTo(1);
            } finally {
                replica.close();
            }
        }
    }

    @Test
    void connectionsOpenWhenTheReplicaStopsAreLoggedAsShutdown() throws Exception {
        AccessLogFile log = new AccessLogFile(dir.resolve("access.json"));
        try (TestBackend echo = TestBackend.echo()) {
            Replica replica = Replica.start(replica(log, TestConfigs.vip("web", echo)), Replica.Options.defaults());
            try (Socket s = Clients.connect(replica.vipAddress("web"))) {
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x');
                replica.close();
                assertThat(log.await(1).get(0).get("end").asText()).isEqualTo("shutdown");
            }
        }
    }

    @Test
    void textGoesToTheFileAndAReopenFollowsLogrotate() throws Exception {
        Path file = dir.resolve("access.log");
        try (TestBackend echo = TestBackend.echo()) {
            HalbConfig c = TestConfigs.replica(TestConfigs.vip("web", echo))
                    .withAccessLog(new AccessLogConfig(AccessLogFormat.TEXT, file.toString()));
            try (Replica replica = Replica.start(c, Replica.Options.defaults())) {
                roundTrip(replica.vipAddress("web"), "one");
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file) && Files.size(file) > 0);
                // logrotate: move the file, then signal; the next record goes to a new file by the old name.
                Path rotated = dir.resolve("access.log.1");
                Files.move(file, rotated);
                replica.reopenAccessLog();
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file));
                roundTrip(replica.vipAddress("web"), "two");
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.size(file) > 0);
                List<String> old = Files.readAllLines(rotated);
                List<String> now = Files.readAllLines(file);
                assertThat(old).hasSize(1);
                assertThat(now).hasSize(1);
                assertThat(now.get(0).split(" ")).hasSize(14);
                assertThat(now.get(0)).endsWith(" 3 3 client_fin");
            }
        }
    }

    @Test
    void anAccessLogPathThatCannotBeWrittenFailsTheStart() {
        HalbConfig c = TestConfigs.replica().withAccessLog(
                new AccessLogConfig(AccessLogFormat.JSON, dir.resolve("missing/dir/access.json").toString()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Replica.start(c, Replica.Options.defaults()))
                .hasMessageContaining("accessLog.path")
                .hasMessageContaining("missing/dir");
    }
}
