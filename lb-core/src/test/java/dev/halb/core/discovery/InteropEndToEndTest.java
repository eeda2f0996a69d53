package dev.halb.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
import dev.halb.core.testing.EchoClient;
import dev.halb.discovery.testing.ShopPayload;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import dev.halb.core.testing.ZooKeeperConfigs;
import dev.halb.discovery.testing.ZooKeeperServerExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The interoperability promise, end to end: services that register with a plain Curator
 * {@code ServiceDiscovery} and a payload class of their own (no halb code) get traffic through a
 * replica, and lose it - for new connections - once they unregister or their session ends.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class InteropEndToEndTest {

    @RegisterExtension
    final ZooKeeperServerExtension zk = new ZooKeeperServerExtension();

    private final List<TestBackend> backends = new ArrayList<>();

    @AfterEach
    void stopBackends() {
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend() {
        TestBackend b = TestBackend.echo();
        backends.add(b);
        return b;
    }

    private Replica replica() throws Exception {
        return zk.track(Replica.start(ZooKeeperConfigs.replica("interop", "", zk.connectString(),
                TestConfigs.vip("shop", List.of())), Replica.Options.defaults()));
    }

    @Test
    void plainCuratorServicesGetTrafficAndUnregisteringStopsNewConnections() throws Exception {
        TestBackend a = backend();
        TestBackend b = backend();
        TestBackend c = backend();
        CuratorFramework serviceClient = zk.plainClient();
        ServiceDiscovery<ShopPayload> discovery = zk.track(ZooKeeperConfigs.discovery(serviceClient));
        ServiceInstance<ShopPayload> ia = ZooKeeperConfigs.instance("shop", "shop-a", a.port(), "a");
        ServiceInstance<ShopPayload> ib = ZooKeeperConfigs.instance("shop", "shop-b", b.port(), "b");
        ServiceInstance<ShopPayload> ic = ZooKeeperConfigs.instance("shop", "shop-c", c.port(), "a");
        discovery.registerService(ia);
        discovery.registerService(ib);
        discovery.registerService(ic);

        Replica replica = replica();
        InetSocketAddress admin = replica.adminAddress();
        InetSocketAddress vip = replica.vipAddress("shop");
        // The replica waited for its first full read of ZooKeeper before it bound the VIP.
        assertThat(AdminJson.backendIds(admin, "shop")).containsExactly("shop-a", "shop-b", "shop-c");
        JsonNode shopB = AdminJson.vip(admin, "shop").get("backends").get(1);
        assertThat(shopB.get("source").asText()).isEqualTo("zookeeper");
        assertThat(shopB.get("zone").asText()).isEqualTo("b");
        assertThat(shopB.get("port").asInt()).isEqualTo(b.port());
        assertThat(shopB.get("state").asText()).isEqualTo("healthy");

        EchoClient.times(vip, 60);
        assertThat(List.of(a.accepted(), b.accepted(), c.accepted())).allMatch(n -> n > 0);
        assertThat(a.accepted() + b.accepted() + c.accepted()).isEqualTo(60);

        discovery.unregisterService(ib);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> AdminJson.backendIds(admin, "shop").equals(List.of("shop-a", "shop-c")));
        int bBefore = b.accepted();
        int acBefore = a.accepted() + c.accepted();
        EchoClient.times(vip, 60);
        assertThat(b.accepted()).isEqualTo(bBefore);
        assertThat(a.accepted() + c.accepted() - acBefore).isEqualTo(60);
        assertThat(AdminJson.metric(admin, "halb_discovery_rejected_total")).isZero();
        assertThat(AdminJson.metric(admin, "halb_discovery_connected")).isEqualTo(1.0);
    }

    @Test
    void theEndOfABackendsSessionRemovesIt() throws Exception {
        TestBackend survivor = backend();
        TestBackend doomed = backend();
        CuratorFramework survivorClient = zk.plainClient();
        zk.track(ZooKeeperConfigs.discovery(survivorClient))
                .registerService(ZooKeeperConfigs.instance("shop", "survivor", survivor.port(), "a"));
        // Exactly what ServiceDiscovery writes, from a client whose session is about to end and
        // which nobody registers again (a hung or partitioned process).
        CuratorFramework doomedClient = zk.plainClient();
        byte[] body = new JsonInstanceSerializer<>(ShopPayload.class)
                .serialize(ZooKeeperConfigs.instance("shop", "doomed", doomed.port(), "a"));
        doomedClient.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(ZooKeeperConfigs.SERVICES + "/shop/doomed", body);

        Replica replica = replica();
        InetSocketAddress admin = replica.adminAddress();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> AdminJson.backendIds(admin, "shop").equals(List.of("doomed", "survivor")));
        EchoClient.times(replica.vipAddress("shop"), 20);
        assertThat(doomed.accepted()).isPositive();

        ZooKeeperServerExtension.expireSession(doomedClient, zk.connectString());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> AdminJson.backendIds(admin, "shop").equals(List.of("survivor")));
        int before = doomed.accepted();
        EchoClient.times(replica.vipAddress("shop"), 20);
        assertThat(doomed.accepted()).isEqualTo(before);
    }
}
