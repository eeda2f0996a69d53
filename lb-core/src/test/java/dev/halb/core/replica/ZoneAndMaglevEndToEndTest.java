package dev.halb.core.replica;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.ReplicaConfig;
import dev.halb.core.config.Strategy;
import dev.halb.core.config.VipConfig;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Zone affinity and Maglev as a client sees them, through a real replica. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZoneAndMaglevEndToEndTest {

    private final List<TestBackend> backends = new ArrayList<>();

    @AfterEach
    void stop() {
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend() {
        TestBackend b = TestBackend.echo();
        backends.add(b);
        return b;
    }

    private static VipConfig vip(Strategy strategy, List<BackendConfig> list) {
        VipConfig v = TestConfigs.vip("web", list);
        return new VipConfig(v.name(), v.bind(), v.service(), strategy, v.zoneAffinity(), v.regionFailover(), v.backends(),
                v.healthCheck(), v.outlierDetection(), v.connectTimeoutMs(), v.connectRetries(), v.idleTimeoutMs(), v.finTimeoutMs(),
                v.maxConnections(), v.proxyProtocol(), v.allowedBackendCidrs());
    }

    private static HalbConfig inZone(String zone, VipConfig vip) {
        HalbConfig c = TestConfigs.replica(vip);
        return new HalbConfig(new ReplicaConfig("zone-test", zone, ""), c.discovery(), c.admin(), c.vips(), c.drain());
    }

    private static void echoOnce(InetSocketAddress vip, String fromAddress) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(Clients.SO_TIMEOUT_MS);
            s.bind(new InetSocketAddress(fromAddress, 0));
            s.connect(vip, 5_000);
            s.getOutputStream().write('x');
            assertThat(s.getInputStream().read()).isEqualTo('x');
        }
    }

    @Test
    void maglevSendsOneClientAddressToOneBackend() throws Exception {
        List<BackendConfig> list = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            list.add(TestConfigs.backend(backend().port()));
        }
        try (Replica replica = Replica.start(TestConfigs.replica(vip(Strategy.MAGLEV, list)),
                Replica.Options.defaults())) {
            for (String client : List.of("127.0.0.1", "127.0.0.2", "127.0.0.3")) {
                int[] before = backends.stream().mapToInt(TestBackend::accepted).toArray();
                for (int i = 0; i < 20; i++) {
                    echoOnce(replica.vipAddress("web"), client);
                }
                long reached = 0;
                for (int i = 0; i < backends.size(); i++) {
                    int got = backends.get(i).accepted() - before[i];
                    if (got > 0) {
                        reached++;
                        assertThat(got).as("connections from %s", client).isEqualTo(20);
                    }
                }
                assertThat(reached).as("backends reached from %s", client).isEqualTo(1);
            }
        }
    }

    @Test
    void localZoneWithEnoughCapacityKeepsEveryConnection() throws Exception {
        TestBackend a1 = backend();
        TestBackend a2 = backend();
        TestBackend b1 = backend();
        List<BackendConfig> list = List.of(
                new BackendConfig("127.0.0.1", a1.port(), "a", "", "", 100),
                new BackendConfig("127.0.0.1", a2.port(), "a", "", "", 100),
                new BackendConfig("127.0.0.1", b1.port(), "b", "", "", 100));
        // No registry: each zone with candidates counts equally (L_a = 1/2) and U_a = 2/3 >= L_a.
        try (Replica replica = Replica.start(inZone("a", vip(Strategy.P2C, list)), Replica.Options.defaults())) {
            for (int i = 0; i < 30; i++) {
                echoOnce(replica.vipAddress("web"), "127.0.0.1");
            }
            assertThat(a1.accepted() + a2.accepted()).isEqualTo(30);
            assertThat(b1.accepted()).isZero();
            assertThat(replica.admin().metrics()).contains("halb_zone_connections_total{vip=\"web\",zone=\"a\",} 30.0")
                    // Zone b has a backend, so its counter exists, and stays at 0.
                    .contains("halb_zone_connections_total{vip=\"web\",zone=\"b\",} 0.0");
            JsonNode routing = new ObjectMapper().readTree(Clients.get(replica.adminAddress(), "/api/v1/vips").body())
                    .get(0).get("zoneRouting");
            assertThat(routing.get("mode").asText()).isEqualTo("local_only");
            assertThat(routing.get("localZone").asText()).isEqualTo("a");
            assertThat(routing.get("split").get("a").asDouble()).isEqualTo(1.0);
        }
    }

    @Test
    void drainingTheLocalZoneSpillsOverToTheOthers() throws Exception {
        TestBackend a1 = backend();
        TestBackend b1 = backend();
        TestBackend b2 = backend();
        List<BackendConfig> list = List.of(
                new BackendConfig("127.0.0.1", a1.port(), "a", "", "", 100),
                new BackendConfig("127.0.0.1", b1.port(), "b", "", "", 100),
                new BackendConfig("127.0.0.1", b2.port(), "b", "", "", 100));
        try (Replica replica = Replica.start(inZone("a", vip(Strategy.ROUND_ROBIN, list)),
                Replica.Options.defaults())) {
            assertThat(replica.admin().setDrained("web", "127.0.0.1:" + a1.port(), true)).isEqualTo(
                    dev.halb.core.admin.AdminModel.DrainOutcome.DONE);
            for (int i = 0; i < 10; i++) {
                echoOnce(replica.vipAddress("web"), "127.0.0.1");
            }
            assertThat(a1.accepted()).isZero();
            assertThat(b1.accepted() + b2.accepted()).isEqualTo(10);
            assertThat(replica.admin().vips().get(0).zoneRouting().mode()).isEqualTo("below_min_backends");
        }
    }
}
