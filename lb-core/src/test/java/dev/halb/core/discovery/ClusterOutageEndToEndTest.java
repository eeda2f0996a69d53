package dev.halb.core.discovery;

import dev.halb.discovery.testing.Closeables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.core.config.ZooKeeperConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
import dev.halb.discovery.testing.ShopPayload;
import dev.halb.core.testing.ShortConnectionLoad;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import dev.halb.core.testing.ZooKeeperConfigs;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingZooKeeperServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Static stability under client traffic: every server of a three-node
 * ensemble stops, for longer than the replica's session. Clients never notice: traffic keeps
 * flowing to the last known backends; the status says {@code disconnected} and for how long;
 * {@code halb_discovery_connected} is 0. When the servers are back the replica resynchronises
 * without a restart: a backend registered after the outage gets traffic.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterOutageEndToEndTest {

    /** Short ticks, so that sessions may be short and the outage outlasts the replica's quickly. */
    private static final int TICK_MS = 500;

    @RegisterExtension
    final Closeables closeables = new Closeables();

    @Test
    void wholeEnsembleDownLosesNoClientConnectionAndResynchronisesAfter() throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MS, -1));
        }
        TestingCluster cluster = closeables.track(new TestingCluster(specs));
        cluster.start();
        String connect = cluster.getConnectString();

        TestBackend one = closeables.track(TestBackend.echo());
        TestBackend two = closeables.track(TestBackend.echo());
        TestBackend late = closeables.track(TestBackend.echo());
        // The backends' session (10 s, the most these ticks allow) outlives the outage.
        CuratorFramework backendClient = CuratorFrameworkFactory.newClient(connect, 10_000, 2_000,
                new ExponentialBackoffRetry(100, 10));
        backendClient.start();
        closeables.track(backendClient::close);
        assertThat(backendClient.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
        ServiceDiscovery<ShopPayload> discovery = closeables.track(ZooKeeperConfigs.discovery(backendClient));
        discovery.registerService(ZooKeeperConfigs.instance("web", "one", one.port(), "a"));
        discovery.registerService(ZooKeeperConfigs.instance("web", "two", two.port(), "a"));

        // The replica's session (2 s) is lost during the outage.
        Replica replica = closeables.track(Replica.start(ZooKeeperConfigs.replica("steady", "a",
                new ZooKeeperConfig(connect, "/halb", 2_000, 2_000, ""), TestConfigs.vip("web", List.of())),
                Replica.Options.defaults()));
        InetSocketAddress admin = replica.adminAddress();
        assertThat(AdminJson.backendIds(admin, "web")).containsExactly("one", "two");
        assertThat(status(admin).get("discovery").asText()).isEqualTo("connected");
        assertThat(AdminJson.metric(admin, "halb_discovery_connected")).isEqualTo(1.0);

        ShortConnectionLoad load = closeables.track(ShortConnectionLoad.start(replica.vipAddress("web"),
                ShortConnectionLoad.echo(), 4, 1_000_000));
        moreConnections(load, 200);

        for (TestingZooKeeperServer server : cluster.getServers()) {
            server.stop();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "disconnected".equals(status(admin).get("discovery").asText()));
        assertThat(AdminJson.metric(admin, "halb_discovery_connected")).isZero();
        // Past the replica's session timeout: the session is lost, not merely suspended.
        await().atMost(Duration.ofSeconds(20)).until(() -> status(admin).get("discoverySinceSeconds").asLong() >= 3);
        assertThat(AdminJson.backendIds(admin, "web")).containsExactly("one", "two");
        moreConnections(load, 200);
        assertThat(load.failed()).as("failed client connections: %s", load.failures()).isZero();

        List<CompletableFuture<Void>> restarts = new ArrayList<>();
        for (TestingZooKeeperServer server : cluster.getServers()) {
            restarts.add(CompletableFuture.runAsync(() -> {
                try {
                    server.restart();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(restarts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> "connected".equals(status(admin).get("discovery").asText()));
        assertThat(AdminJson.metric(admin, "halb_discovery_connected")).isEqualTo(1.0);

        assertThat(backendClient.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
        discovery.registerService(ZooKeeperConfigs.instance("web", "late", late.port(), "a"));
        await().atMost(Duration.ofSeconds(20)).until(() -> late.accepted() > 0);
        // If the backends' own session expired while the ensemble was down, Curator re-registers
        // their instances one by one after it reconnects, in its own listener: "two" may come a
        // moment after "late". The replica must show all three once ZooKeeper has them.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(AdminJson.backendIds(admin, "web")).containsExactly("late", "one", "two"));

        load.close();
        assertThat(load.failed()).as("failed client connections: %s", load.failures()).isZero();
        assertThat(load.succeeded()).isGreaterThan(400);
        assertThat(AdminJson.replicaIds(admin)).containsExactly("steady");
    }

    private static JsonNode status(InetSocketAddress admin) {
        return AdminJson.get(admin, "/api/v1/status");
    }

    private static void moreConnections(ShortConnectionLoad load, long n) {
        long target = load.succeeded() + n;
        await().atMost(Duration.ofSeconds(20)).until(() -> load.succeeded() >= target || load.failed() > 0);
    }
}
