package dev.halb.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.halb.discovery.Backend;
import dev.halb.discovery.Catalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code auth} set, what halb creates is writable only with the same credentials: a stray
 * client can read but cannot register an instance, write a VIP or remove a node.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthTest {

    @RegisterExtension
    final ZooKeeperExtension zk = new ZooKeeperExtension();

    private static final String AUTH = "halb:s3cret";

    private CuratorFramework client(String auth) throws InterruptedException {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder().connectString(zk.connectString())
                .retryPolicy(new RetryOneTime(100));
        if (auth != null) {
            b.authorization("digest", auth.getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework c = b.build();
        c.start();
        zk.track(c::close);
        assertThat(c.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        return c;
    }

    @Test
    void nodesHalbCreatesAreProtectedAndAuthenticatedClientsWork() throws Exception {
        ZooKeeperConnection halb = zk.connect(zk.settings().withAuth(AUTH));
        ServiceRegistration registration = zk.track(ServiceRegistration.register(halb,
                ServiceRegistration.Instance.of("web", "127.0.0.1", 9001).withId("legit")));
        ReplicaRegistry replicas = zk.track(ReplicaRegistry.start(halb,
                new ReplicaInfo("r1", "a", "", "", "", List.of(), ""), DiscoveryRecorder.disabled()));
        CuratorFramework stranger = client(null);
        CuratorFramework impostor = client("halb:guess");
        CuratorFramework colleague = client(AUTH);
        await().atMost(Duration.ofSeconds(10)).until(() -> stranger.checkExists().forPath("/halb/vips") != null);

        Id halbId = new Id("digest", DigestAuthenticationProvider.generateDigest(AUTH));
        List<ACL> expected = List.of(new ACL(ZooDefs.Perms.ALL, halbId),
                new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        for (String path : List.of("/halb", "/halb/services", "/halb/services/web", registration.path(), "/halb/vips",
                "/halb/replicas", replicas.path())) {
            // (ZooKeeper masks digests for readers without ADMIN, so ask as halb.)
            // (Curator may register once more, delete then create, when its connection event comes late.)
            assertThat(await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> colleague.getACL().forPath(path), acl -> acl != null))
                    .as(path).containsExactlyInAnyOrderElementsOf(expected);
        }

        // Anyone may read.
        assertThat(await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> stranger.getData().forPath(registration.path()), b -> b != null)).isNotEmpty();
        assertThat(stranger.getChildren().forPath("/halb/replicas")).containsExactly("r1");

        // Without the credentials nothing can be changed: no stray registration, VIP or deletion.
        for (CuratorFramework outsider : List.of(stranger, impostor)) {
            ServiceDiscovery<ZonePayload> stray = ServiceDiscoveryBuilder.builder(ZonePayload.class).client(outsider)
                    .basePath("/halb/services").build();
            stray.start();
            assertThatThrownBy(() -> stray.registerService(ServiceInstance.<ZonePayload>builder().name("web").id("hijack")
                    .address("203.0.113.66").port(80).build())).isInstanceOf(KeeperException.NoAuthException.class);
            try {
                stray.close(); // it tries to unregister what it could not register, and says so
            } catch (RuntimeException e) {
                assertThat(e).hasRootCauseInstanceOf(KeeperException.NoAuthException.class);
            }
            assertThatThrownBy(() -> outsider.create().forPath("/halb/vips/evil", new byte[] {'{', '}'}))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> outsider.delete().forPath(registration.path()))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> outsider.setData().forPath(replicas.path(), new byte[0]))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }

        // The same credentials may: an operator writing a VIP, a backend registering with halb's settings.
        colleague.create().forPath("/halb/vips/web", "{\"bind\":\"127.0.0.1:8080\"}".getBytes(StandardCharsets.UTF_8));
        zk.track(ServiceRegistration.register(zk.connect(zk.settings().withAuth(AUTH)),
                ServiceRegistration.Instance.of("web", "127.0.0.1", 9002).withId("colleague")));
        Catalog catalog = zk.track(new Catalog(List.of(new ZooKeeperBackendSource(halb, DiscoveryRecorder.disabled()))));
        catalog.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 2);
        assertThat(catalog.backends("web").backends()).extracting(Backend::id).containsExactly("colleague", "legit");
        colleague.delete().forPath("/halb/vips/web");
    }

    @Test
    void withoutAuthNodesAreOpen() throws Exception {
        ZooKeeperConnection halb = zk.connect();
        CuratorFramework stranger = client(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> stranger.checkExists().forPath("/halb/services") != null);
        assertThat(stranger.getACL().forPath("/halb/services")).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
        assertThat(halb.settings().hasAuth()).isFalse();
    }
}
