package dev.halb.core.discovery;

import dev.halb.discovery.testing.Closeables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.Cidr;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.HostLookup;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
import dev.halb.core.testing.EchoClient;
import dev.halb.core.testing.LoopbackEcho;
import dev.halb.discovery.testing.ShopPayload;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import dev.halb.core.testing.ZooKeeperConfigs;
import dev.halb.discovery.testing.ZooKeeperServerExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a replica refuses from ZooKeeper, end to end: a registration
 * outside {@code allowedBackendCidrs} (it cannot hijack traffic), a host name that does not
 * resolve (until it does), and instance nodes it cannot read. Each is left out, logged once and
 * counted, while valid siblings keep serving.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class RejectedBackendsTest {

    @RegisterExtension
    final ZooKeeperServerExtension zk = new ZooKeeperServerExtension();

    @RegisterExtension
    final Closeables closeables = new Closeables();

    private static VipConfig withCidrs(VipConfig v, List<Cidr> cidrs) {
        return new VipConfig(v.name(), v.bind(), v.service(), v.strategy(), v.zoneAffinity(), v.regionFailover(), v.backends(),
                v.healthCheck(), v.outlierDetection(), v.connectTimeoutMs(), v.connectRetries(), v.idleTimeoutMs(), v.finTimeoutMs(),
                v.maxConnections(), v.proxyProtocol(), cidrs);
    }

    @Test
    void aRegistrationOutsideTheAllowedNetworksGetsNoTraffic() throws Exception {
        TestBackend legit = closeables.track(TestBackend.echo());
        LoopbackEcho stray = closeables.track(LoopbackEcho.on("127.0.0.2"));
        // A static backend outside the networks: the operator's own file is trusted.
        LoopbackEcho fixed = closeables.track(LoopbackEcho.on("127.0.0.3"));
        ServiceDiscovery<ShopPayload> discovery = zk.track(ZooKeeperConfigs.discovery(zk.plainClient()));
        discovery.registerService(ZooKeeperConfigs.instance("web", "legit", legit.port(), ""));
        discovery.registerService(ZooKeeperConfigs.instance("web", "stray", "127.0.0.2", stray.port(), ""));

        VipConfig web = withCidrs(TestConfigs.vip("web",
                List.of(new BackendConfig("127.0.0.3", fixed.port(), "", "", "", 100))),
                List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("10.0.0.0/8")));
        Replica replica = zk.track(Replica.start(ZooKeeperConfigs.replica("strict", "", zk.connectString(), web),
                Replica.Options.defaults()));
        InetSocketAddress admin = replica.adminAddress();

        assertThat(AdminJson.backendIds(admin, "web")).containsExactly("127.0.0.3:" + fixed.port(), "legit");
        assertThat(AdminJson.metric(admin, "halb_discovery_rejected_total")).isEqualTo(1.0);
        EchoClient.times(replica.vipAddress("web"), 40);
        assertThat(stray.accepted()).isZero();
        assertThat(legit.accepted() + fixed.accepted()).isEqualTo(40);

        // Republished with another backend: still rejected, but counted once.
        TestBackend another = closeables.track(TestBackend.echo());
        discovery.registerService(ZooKeeperConfigs.instance("web", "another", another.port(), ""));
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminJson.backendIds(admin, "web").contains("another"));
        assertThat(AdminJson.backendIds(admin, "web")).doesNotContain("stray");
        assertThat(AdminJson.metric(admin, "halb_discovery_rejected_total")).isEqualTo(1.0);
        EchoClient.times(replica.vipAddress("web"), 20);
        assertThat(stray.accepted()).isZero();
    }

    @Test
    void aHostNameIsResolvedOffThePathAndOneThatDoesNotResolveJoinsOnceItDoes() throws Exception {
        TestBackend named = closeables.track(TestBackend.echo());
        TestBackend late = closeables.track(TestBackend.echo());
        TestBackend literal = closeables.track(TestBackend.echo());
        Map<String, InetAddress> dns = new ConcurrentHashMap<>();
        dns.put("named.backend.test", InetAddress.getByName("127.0.0.1"));
        Set<String> asked = ConcurrentHashMap.newKeySet();
        HostLookup lookup = host -> {
            asked.add(host);
            InetAddress a = dns.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return a;
        };
        ServiceDiscovery<ShopPayload> discovery = zk.track(ZooKeeperConfigs.discovery(zk.plainClient()));
        discovery.registerService(ZooKeeperConfigs.instance("web", "named", "named.backend.test", named.port(), ""));
        discovery.registerService(ZooKeeperConfigs.instance("web", "late", "late.backend.test", late.port(), ""));
        discovery.registerService(ZooKeeperConfigs.instance("web", "literal", literal.port(), ""));
        VipConfig web = withCidrs(TestConfigs.vip("web", List.of()), List.of(Cidr.parse("127.0.0.0/8")));
        Replica replica = zk.track(Replica.start(ZooKeeperConfigs.replica("names", "", zk.connectString(), web),
                Replica.Options.defaults().withHostLookup(lookup)));
        InetSocketAddress admin = replica.adminAddress();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> AdminJson.backendIds(admin, "web").equals(List.of("literal", "named")));
        assertThat(AdminJson.vip(admin, "web").get("backends").get(1).get("address").asText())
                .isEqualTo("named.backend.test");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                AdminJson.hasMetric(admin, "halb_resolve_failures_total\\{vip=\"web\",}"));
        assertThat(AdminJson.metric(admin, "halb_resolve_failures_total\\{vip=\"web\",}")).isEqualTo(1.0);
        EchoClient.times(replica.vipAddress("web"), 20);
        assertThat(named.accepted()).isPositive();
        assertThat(late.accepted()).isZero();
        assertThat(asked).containsExactlyInAnyOrder("named.backend.test", "late.backend.test");

        dns.put("late.backend.test", InetAddress.getByName("127.0.0.1"));
        // Tried again in the background (every 5 s), then the VIP republishes.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> AdminJson.backendIds(admin, "web").equals(List.of("late", "literal", "named")));
        EchoClient.times(replica.vipAddress("web"), 30);
        assertThat(late.accepted()).isPositive();
        assertThat(AdminJson.metric(admin, "halb_resolve_failures_total\\{vip=\"web\",}")).isEqualTo(1.0);
        assertThat(AdminJson.metric(admin, "halb_discovery_rejected_total")).isZero();
    }

    @Test
    void unreadableInstanceNodesAreSkippedAndCountedWhileASiblingServes() throws Exception {
        TestBackend good = closeables.track(TestBackend.echo());
        CuratorFramework writer = zk.plainClient();
        zk.track(ZooKeeperConfigs.discovery(writer))
                .registerService(ZooKeeperConfigs.instance("web", "good", good.port(), "a"));
        Map<String, byte[]> bad = Map.of(
                "empty", new byte[0],
                "not-json", "<html>hello</html>".getBytes(StandardCharsets.UTF_8),
                "wrong-shape", "{\"host\":\"10.0.0.1\",\"listen\":[80]}".getBytes(StandardCharsets.UTF_8),
                "huge", ("{\"address\":\"127.0.0.1\",\"port\":" + good.port() + ",\"pad\":\""
                        + "x".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            writer.create().withMode(CreateMode.EPHEMERAL).forPath(ZooKeeperConfigs.SERVICES + "/web/" + e.getKey(),
                    e.getValue());
        }
        Replica replica = zk.track(Replica.start(ZooKeeperConfigs.replica("picky", "", zk.connectString(),
                TestConfigs.vip("web", List.of())), Replica.Options.defaults()));
        InetSocketAddress admin = replica.adminAddress();

        assertThat(AdminJson.backendIds(admin, "web")).containsExactly("good");
        assertThat(AdminJson.metric(admin, "halb_discovery_rejected_total")).isEqualTo(4.0);
        EchoClient.times(replica.vipAddress("web"), 10);
        assertThat(good.accepted()).isEqualTo(10);
    }
}
