package dev.halb.discovery.zookeeper;

import dev.halb.discovery.testing.Closeables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSet;
import dev.halb.discovery.Catalog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingZooKeeperServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Static stability against a whole ensemble going away: every server of a
 * three-node cluster stops, long enough for halb's session to be declared lost. The catalog keeps
 * its backends and publishes nothing empty; the state says disconnected, since when the injected
 * clock said; once the servers are back the catalog resynchronises without a restart, and a
 * backend registered after the outage shows up.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterOutageTest {

    /** Short ticks, so sessions may be short and the outage can outlast halb's session quickly. */
    private static final int TICK_MS = 500;

    @RegisterExtension
    final Closeables closeables = new Closeables();

    @Test
    void wholeEnsembleDownKeepsTheLastBackendsThenResynchronises() throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MS, -1));
        }
        TestingCluster cluster = closeables.track(new TestingCluster(specs));
        cluster.start();
        String connect = cluster.getConnectString();

        // The backend's session outlives the outage (10 s, the maximum with these ticks).
        CuratorFramework backendClient = CuratorFrameworkFactory.newClient(connect, 10_000, 2_000,
                new ExponentialBackoffRetry(100, 10));
        backendClient.start();
        closeables.track(backendClient::close);
        assertThat(backendClient.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
        ServiceDiscovery<ZonePayload> discovery = ServiceDiscoveryBuilder.builder(ZonePayload.class).client(backendClient)
                .basePath("/halb/services").build();
        discovery.start();
        closeables.track(discovery);
        discovery.registerService(instance("before", 9001));

        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2030-01-01T00:00:00Z"));
        // halb's session (2 s) is declared lost during the outage.
        ZooKeeperConnection halb = closeables.track(ZooKeeperClients.connect(
                ZooKeeperSettings.of(connect).withTimeouts(2_000, 2_000), now::get));
        List<ConnectionState> curatorStates = new CopyOnWriteArrayList<>();
        halb.curator().getConnectionStateListenable().addListener((c, s) -> curatorStates.add(s));
        assertThat(halb.state().connected()).isTrue();
        Catalog catalog = closeables.track(new Catalog(List.of(new ZooKeeperBackendSource(halb, DiscoveryRecorder.disabled()))));
        List<BackendSet> seen = new CopyOnWriteArrayList<>();
        catalog.subscribe("web", seen::add);
        catalog.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 1);

        Instant outage = now.updateAndGet(t -> t.plusSeconds(60));
        for (TestingZooKeeperServer server : cluster.getServers()) {
            server.stop();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !halb.state().connected());
        assertThat(halb.state()).isEqualTo(DiscoveryState.disconnected(outage));
        assertThat(halb.state().label()).isEqualTo("disconnected");
        await().atMost(Duration.ofSeconds(30)).until(() -> curatorStates.contains(ConnectionState.LOST));
        assertThat(catalog.backends("web").backends()).extracting(Backend::id).containsExactly("before");

        Instant back = now.updateAndGet(t -> t.plusSeconds(60));
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
        CompletableFuture.allOf(restarts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> halb.state().connected());
        assertThat(halb.state()).isEqualTo(DiscoveryState.connected(back));
        assertThat(halb.state().age(back.plusSeconds(5))).isEqualTo(Duration.ofSeconds(5));

        assertThat(backendClient.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
        discovery.registerService(instance("after", 9002));
        await().atMost(Duration.ofSeconds(20)).until(() -> catalog.backends("web").size() == 2);
        assertThat(catalog.backends("web").backends()).extracting(Backend::id).containsExactly("after", "before");
        // The first set (before anything was read) is the only empty one ever published.
        assertThat(seen.subList(1, seen.size())).isNotEmpty().noneMatch(BackendSet::isEmpty);
    }

    private static ServiceInstance<ZonePayload> instance(String id, int port) throws Exception {
        return ServiceInstance.<ZonePayload>builder().name("web").id(id).address("127.0.0.1").port(port)
                .payload(new ZonePayload("a")).build();
    }
}
