package dev.halb.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
import dev.halb.core.testing.TestConfigs;
import dev.halb.core.testing.ZooKeeperConfigs;
import dev.halb.discovery.testing.ZooKeeperServerExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The replica registry: two replicas on one ZooKeeper see each other
 * in {@code GET /api/v1/replicas}, zone affinity follows the live replicas per zone, and a
 * replica that stops removes its node.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class ReplicaRegistryEndToEndTest {

    @RegisterExtension
    final ZooKeeperServerExtension zk = new ZooKeeperServerExtension();

    /** Backends in zones a, a, b (nothing listens: no health checks, no traffic here). */
    private static VipConfig web() {
        return TestConfigs.vip("web", List.of(
                new BackendConfig("127.0.0.1", 9001, "a", "", "", 100),
                new BackendConfig("127.0.0.1", 9002, "a", "", "", 100),
                new BackendConfig("127.0.0.1", 9003, "b", "", "", 100)));
    }

    private Replica replica(String id, String zone) throws Exception {
        return zk.track(Replica.start(ZooKeeperConfigs.replica(id, zone, zk.connectString(), web()),
                Replica.Options.defaults()));
    }

    @Test
    void twoReplicasListEachOtherAndAStoppedOneLeaves() throws Exception {
        Replica a = replica("replica-a", "a");
        Replica b = replica("replica-b", "b");
        InetSocketAddress adminA = a.adminAddress();
        InetSocketAddress adminB = b.adminAddress();

        await().atMost(Duration.ofSeconds(10)).until(() ->
                AdminJson.replicaIds(adminA).equals(List.of("replica-a", "replica-b"))
                        && AdminJson.replicaIds(adminB).equals(List.of("replica-a", "replica-b")));
        JsonNode seenByA = AdminJson.get(adminA, "/api/v1/replicas").get(1);
        assertThat(seenByA.get("id").asText()).isEqualTo("replica-b");
        assertThat(seenByA.get("zone").asText()).isEqualTo("b");
        assertThat(seenByA.get("admin").asText()).isEqualTo("127.0.0.1:" + adminB.getPort());
        assertThat(seenByA.get("vips").get(0).get("name").asText()).isEqualTo("web");
        assertThat(seenByA.get("vips").get(0).get("bind").asText())
                .isEqualTo("127.0.0.1:" + b.vipAddress("web").getPort());
        assertThat(seenByA.get("startedAt").asText()).isNotEmpty();
        assertThat(seenByA.get("address").asText()).isNotEmpty();

        // One replica per zone: L_a = 1/2 <= U_a = 2/3, so replica-a keeps every connection local.
        await().atMost(Duration.ofSeconds(10)).until(() -> zoneMode(adminA).equals("local_only"));

        b.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminJson.replicaIds(adminA).equals(List.of("replica-a")));
        // Only zone a is live now: L_a = 1 > U_a, so a third of the connections spill over to zone b.
        await().atMost(Duration.ofSeconds(10)).until(() -> zoneMode(adminA).equals("proportional"));
        assertThat(AdminJson.vip(adminA, "web").get("zoneRouting").get("split").get("b").asDouble())
                .isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void aReplicaNodeIsEphemeralAndListsTheReplica() throws Exception {
        Replica a = replica("replica-a", "a");
        CuratorFramework observer = zk.plainClient();
        await().atMost(Duration.ofSeconds(10)).until(() -> observer.checkExists().forPath("/halb/replicas/replica-a") != null);
        assertThat(observer.checkExists().forPath("/halb/replicas/replica-a").getEphemeralOwner()).isNotZero();
        String body = new String(observer.getData().forPath("/halb/replicas/replica-a"), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body).contains("\"id\":\"replica-a\"", "\"zone\":\"a\"", "\"name\":\"web\"");
        a.drain();
        assertThat(observer.checkExists().forPath("/halb/replicas/replica-a")).isNull();
    }

    private static String zoneMode(InetSocketAddress admin) {
        return AdminJson.vip(admin, "web").get("zoneRouting").get("mode").asText();
    }
}
