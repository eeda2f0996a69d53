package dev.halb.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.halb.core.config.ZooKeeperConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
import dev.halb.core.testing.EchoClient;
import dev.halb.discovery.testing.ShopPayload;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import dev.halb.core.testing.ZooKeeperConfigs;
import dev.halb.discovery.testing.ZooKeeperServerExtension;
import dev.halb.discovery.Locality;
import dev.halb.discovery.zookeeper.ServiceRegistration;
import dev.halb.discovery.zookeeper.ZooKeeperClients;
import dev.halb.discovery.zookeeper.ZooKeeperSettings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code discovery.zookeeper.auth}: a replica with digest credentials creates
 * halb's tree so that only holders of the same credentials can register backends or write VIPs;
 * a stranger's registration is refused by ZooKeeper itself and cannot hijack traffic.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class AuthEndToEndTest {

    private static final String AUTH = "halb:s3cret";

    @RegisterExtension
    final ZooKeeperServerExtension zk = new ZooKeeperServerExtension();

    private TestBackend backend;

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void onlyHoldersOfTheCredentialsCanRegisterOrWriteVips() throws Exception {
        backend = TestBackend.echo();
        Replica replica = zk.track(Replica.start(ZooKeeperConfigs.replica("guarded", "",
                new ZooKeeperConfig(zk.connectString(), "/halb", 10_000, 3_000, AUTH),
                TestConfigs.vip("web", List.of())), Replica.Options.defaults()));
        InetSocketAddress admin = replica.adminAddress();
        CuratorFramework stranger = zk.plainClient();
        await().atMost(Duration.ofSeconds(10)).until(() -> stranger.checkExists().forPath("/halb/services") != null);

        ServiceDiscovery<ShopPayload> stray = ZooKeeperConfigs.discovery(stranger);
        assertThatThrownBy(() -> stray.registerService(ZooKeeperConfigs.instance("web", "hijack", 80, "")))
                .isInstanceOf(KeeperException.NoAuthException.class);
        try {
            stray.close();
        } catch (RuntimeException e) {
            // it tries to unregister what it could not register
        }
        assertThatThrownBy(() -> stranger.create().forPath("/halb/vips/evil",
                "{\"bind\":\"127.0.0.1:0\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeeperException.NoAuthException.class);

        ServiceRegistration legit = zk.track(ServiceRegistration.register(
                zk.track(ZooKeeperClients.connect(ZooKeeperSettings.of(zk.connectString()).withAuth(AUTH))),
                new ServiceRegistration.Instance("web", "legit", "127.0.0.1", backend.port(), Locality.NONE, 100)));
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminJson.backendIds(admin, "web").equals(List.of("legit")));
        EchoClient.times(replica.vipAddress("web"), 5);
        assertThat(backend.accepted()).isEqualTo(5);
        assertThat(legit.path()).isEqualTo("/halb/services/web/legit");
        assertThat(AdminJson.replicaIds(admin)).containsExactly("guarded");
    }
}
