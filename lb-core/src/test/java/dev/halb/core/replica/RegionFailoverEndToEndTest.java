package dev.halb.core.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halb.core.admin.VipView;
import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.RegionFailoverConfig;
import dev.halb.core.config.ReplicaConfig;
import dev.halb.core.config.Strategy;
import dev.halb.core.config.VipConfig;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.HealthTestConfigs;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Region failover as clients see it, through a real replica in region "us" over real backends:
 * four in "us", four in "eu". Local backends are killed one by one and brought back; each step
 * moves the predicted share of new connections to "eu" and back.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RegionFailoverEndToEndTest {

    /** Connections per step where the rule predicts a split; a share of 0 or 1 is checked on fewer. */
    private static final int SPLIT_CONNECTIONS = 2_000;
    private static final int WHOLE_CONNECTIONS = 200;

    private final TestBackend[] local = new TestBackend[4];
    private final TestBackend[] remote = new TestBackend[4];
    /** Client connections that reached each region, as the backends counted them. */
    private long toLocal;
    private long toRemote;

    @AfterEach
    void stop() {
        for (TestBackend b : local) {
            if (b != null) {
                b.close();
            }
        }
        for (TestBackend b : remote) {
            if (b != null) {
                b.close();
            }
        }
    }

    private List<BackendConfig> startBackends() {
        List<BackendConfig> list = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            local[i] = TestBackend.echo();
            list.add(new BackendConfig("127.0.0.1", local[i].port(), "us-1a", "us", "", 100));
        }
        for (int i = 0; i < 4; i++) {
            remote[i] = TestBackend.echo();
            list.add(new BackendConfig("127.0.0.1", remote[i].port(), "eu-1a", "eu", "", 100));
        }
        return list;
    }

    /** Fast TCP checks (one failure is out, one pass is back), no ejection, random strategy. */
    private static VipConfig vip(List<BackendConfig> backends, RegionFailoverConfig failover) {
        VipConfig v = HealthTestConfigs.vip("web", backends, HealthTestConfigs.tcpCheck(50, 50, 1, 1),
                new OutlierDetectionConfig(0, 5_000, 50), 2);
        return new VipConfig(v.name(), v.bind(), v.service(), Strategy.RANDOM, v.zoneAffinity(), failover,
                v.backends(), v.healthCheck(), v.outlierDetection(), v.connectTimeoutMs(), v.connectRetries(),
                v.idleTimeoutMs(), v.finTimeoutMs(), v.maxConnections(), v.proxyProtocol(), v.allowedBackendCidrs());
    }

    private static HalbConfig replicaIn(String zone, String region, VipConfig vip) {
        HalbConfig c = TestConfigs.replica(vip);
        return new HalbConfig(new ReplicaConfig("region-test", zone, region), c.discovery(), c.admin(), c.vips(),
                c.drain());
    }

    private static void echoOnce(InetSocketAddress vip) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(Clients.SO_TIMEOUT_MS);
            s.connect(vip, 5_000);
            s.getOutputStream().write('x');
            assertThat(s.getInputStream().read()).isEqualTo('x');
        }
    }

    private static long bytesRead(TestBackend[] backends) {
        long sum = 0;
        for (TestBackend b : backends) {
            sum += b == null ? 0 : b.bytesRead();
        }
        return sum;
    }

    /**
     * Sends {@code n} one-byte connections and returns how many reached "eu" (health checks send
     * no bytes, so bytes read count client connections).
     */
    private long remoteOf(Replica replica, int n) throws IOException {
        long localBefore = bytesRead(local);
        long remoteBefore = bytesRead(remote);
        for (int i = 0; i < n; i++) {
            echoOnce(replica.vipAddress("web"));
        }
        long remoteNow = bytesRead(remote) - remoteBefore;
        long localNow = bytesRead(local) - localBefore;
        assertThat(localNow + remoteNow).as("connections served").isEqualTo(n);
        toLocal += localNow;
        toRemote += remoteNow;
        return remoteNow;
    }

    private static VipView.RegionRoutingView routing(Replica replica) {
        return replica.admin().vips().get(0).regionRouting();
    }

    /** Waits until the replica's split reflects {@code healthy} of 4 local backends, then measures it. */
    private void assertStep(Replica replica, int healthy) throws IOException {
        double localShare = Math.min(1, 1.4 * healthy / 4);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(routing(replica).healthyShare()).isEqualTo(healthy / 4.0);
            assertThat(routing(replica).shares().get("local")).isCloseTo(localShare, within(1e-9));
        });
        double p = 1 - localShare;
        int n = p == 0 || p == 1 ? WHOLE_CONNECTIONS : SPLIT_CONNECTIONS;
        long remoteNow = remoteOf(replica, n);
        double sigma = Math.sqrt(n * p * (1 - p));
        assertThat((double) remoteNow).as("connections to eu with %d of 4 local backends healthy (expected %s of %d)",
                healthy, p, n).isCloseTo(n * p, within(5 * sigma));
    }

    @Test
    void localBackendsKilledOneByOneMoveThePredictedShareAndTrafficReturns() throws Exception {
        List<BackendConfig> backends = startBackends();
        try (Replica replica = Replica.start(replicaIn("us-1a", "us", vip(backends, RegionFailoverConfig.DEFAULT)),
                Replica.Options.defaults())) {
            assertThat(routing(replica).mode()).isEqualTo("local_only");
            // Backends passing their first checks one by one may have passed through other modes.
            double failoversBefore = changes(replica, "failover");
            double noLocalBefore = changes(replica, "no_local_candidates");
            double localOnlyBefore = changes(replica, "local_only");
            assertStep(replica, 4); // 1.4 * 1 -> all local
            int[] ports = new int[4];
            for (int i = 0; i < 4; i++) {
                ports[i] = local[i].port();
            }
            for (int down = 1; down <= 4; down++) {
                local[down - 1].close();
                local[down - 1] = null;
                // 3 up: 1.4 * 0.75 >= 1, all local; 2 up: 70 % local; 1 up: 35 %; none: all to eu.
                assertStep(replica, 4 - down);
            }
            assertThat(routing(replica).mode()).isEqualTo("no_local_candidates");
            for (int up = 1; up <= 4; up++) {
                local[up - 1] = TestBackend.echoOn(ports[up - 1]);
                assertStep(replica, up);
            }
            assertThat(routing(replica).mode()).isEqualTo("local_only");

            JsonNode view = new ObjectMapper().readTree(Clients.get(replica.adminAddress(), "/api/v1/vips").body())
                    .get(0).get("regionRouting");
            assertThat(view.get("mode").asText()).isEqualTo("local_only");
            assertThat(view.get("local").asText()).isEqualTo("us");
            assertThat(view.get("overprovisioningFactor").asDouble()).isEqualTo(1.4);
            assertThat(view.get("shares").get("local").asDouble()).isEqualTo(1.0);
            assertThat(view.get("shares").get("remote").asDouble()).isEqualTo(0.0);
            // Into failover at 2 up (down) and 1 up (back); all gone once; all local again once.
            assertThat(changes(replica, "failover") - failoversBefore).isEqualTo(2);
            assertThat(changes(replica, "no_local_candidates") - noLocalBefore).isEqualTo(1);
            assertThat(changes(replica, "local_only") - localOnlyBefore).isEqualTo(1);
            assertThat(sample(replica, "halb_region_connections_total{vip=\"web\",region=\"eu\",}"))
                    .isEqualTo(toRemote);
            assertThat(sample(replica, "halb_region_connections_total{vip=\"web\",region=\"us\",}"))
                    .isEqualTo(toLocal);
        }
    }

    private static double changes(Replica replica, String mode) {
        return sample(replica, "halb_region_routing_changes_total{vip=\"web\",mode=\"" + mode + "\",}");
    }

    /** A sample's value in the Prometheus text, 0 when it is absent. */
    private static double sample(Replica replica, String name) {
        for (String line : replica.admin().metrics().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        return 0;
    }

    @Test
    void disabledRegionFailoverIgnoresRegions() throws Exception {
        List<BackendConfig> backends = startBackends();
        HalbConfig config = replicaIn("", "us", vip(backends, new RegionFailoverConfig(false, 1.4)));
        try (Replica replica = Replica.start(config, Replica.Options.defaults())) {
            assertRegionsIgnored(replica, "disabled");
        }
    }

    @Test
    void aReplicaWithoutRegionIgnoresRegions() throws Exception {
        List<BackendConfig> backends = startBackends();
        HalbConfig config = replicaIn("", "", vip(backends, RegionFailoverConfig.DEFAULT));
        try (Replica replica = Replica.start(config, Replica.Options.defaults())) {
            assertRegionsIgnored(replica, "no_local_region");
        }
    }

    /** As before regions: every candidate by weight, however many local backends are down. */
    private void assertRegionsIgnored(Replica replica, String mode) throws IOException {
        await().atMost(Duration.ofSeconds(20)).until(() -> routing(replica).mode().equals(mode));
        assertThat(routing(replica).active()).isFalse();
        assertSplit(replica, 0.5);
        for (int i = 0; i < 3; i++) {
            local[i].close();
            local[i] = null;
        }
        // 1 of 4 local and all 4 of eu up: 4/5 of connections to eu, by weight, not 65 %.
        await().atMost(Duration.ofSeconds(20)).until(() -> replica.admin().vips().get(0).backends().stream()
                .filter(b -> b.state().equals("healthy")).count() == 5);
        assertSplit(replica, 0.8);
    }

    private void assertSplit(Replica replica, double p) throws IOException {
        long remoteNow = remoteOf(replica, SPLIT_CONNECTIONS);
        double sigma = Math.sqrt(SPLIT_CONNECTIONS * p * (1 - p));
        assertThat((double) remoteNow).as("connections to eu (expected %s)", p)
                .isCloseTo(SPLIT_CONNECTIONS * p, within(5 * sigma));
    }
}
