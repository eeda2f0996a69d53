package dev.halb.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSet;
import dev.halb.discovery.Catalog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sessions that end: a backend's (its node goes), a registration's (Curator re-registers), halb's own. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionExpiryTest {

    @RegisterExtension
    final ZooKeeperExtension zk = new ZooKeeperExtension();

    private Catalog catalog(ZooKeeperConnection connection) throws Exception {
        Catalog catalog = zk.track(new Catalog(List.of(new ZooKeeperBackendSource(connection,
                DiscoveryRecorder.disabled()))));
        catalog.start();
        return catalog;
    }

    @Test
    void expiredSessionOfABackendRemovesItFromTheCatalog() throws Exception {
        CuratorFramework backendClient = zk.plainClient();
        // Exactly what ServiceDiscovery writes, but nobody re-registers it after the session ends.
        byte[] body = new JsonInstanceSerializer<>(ZonePayload.class).serialize(ServiceInstance.<ZonePayload>builder().name("web")
                .id("doomed").address("127.0.0.1").port(9001).payload(new ZonePayload("a")).build());
        backendClient.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath("/halb/services/web/doomed", body);
        ServiceRegistration survivor = zk.track(ServiceRegistration.register(zk.connect(),
                ServiceRegistration.Instance.of("web", "127.0.0.1", 9002).withId("survivor")));

        Catalog catalog = catalog(zk.connect());
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 2);

        ZooKeeperExtension.expireSession(backendClient, zk.connectString());
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 1);
        assertThat(catalog.backends("web").backends()).extracting(Backend::id).containsExactly("survivor");
        assertThat(survivor.path()).endsWith("/survivor");
    }

    @Test
    void aRegistrationComesBackAfterItsSessionExpires() throws Exception {
        ZooKeeperConnection registrant = zk.connect();
        ServiceRegistration registration = zk.track(ServiceRegistration.register(registrant,
                ServiceRegistration.Instance.of("web", "127.0.0.1", 9001).withId("phoenix")));
        CuratorFramework observer = zk.plainClient();
        // (Curator may register once more, delete then create, when its connection event comes late:
        // wait for the node; the owner is this session either way.)
        long firstOwner = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> observer.checkExists().forPath(registration.path()).getEphemeralOwner(), o -> o != 0);

        Catalog catalog = catalog(zk.connect());
        List<BackendSet> seen = new CopyOnWriteArrayList<>();
        catalog.subscribe("web", seen::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 1);

        ZooKeeperExtension.expireSession(registrant.curator(), zk.connectString());
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Stat stat = observer.checkExists().forPath(registration.path());
            return stat != null && stat.getEphemeralOwner() != firstOwner;
        });
        assertThat(observer.checkExists().forPath(registration.path()).getEphemeralOwner())
                .isEqualTo(registrant.curator().getZookeeperClient().getZooKeeper().getSessionId());
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 1);

        registration.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").isEmpty());
    }

    @Test
    void halbsOwnSessionExpiringKeepsTheCatalogAndResynchronises() throws Exception {
        ZooKeeperConnection registrant = zk.connect();
        zk.track(ServiceRegistration.register(registrant, ServiceRegistration.Instance.of("web", "127.0.0.1", 9001)
                .withId("steady")));
        ZooKeeperConnection halb = zk.connect();
        List<DiscoveryState> states = new CopyOnWriteArrayList<>();
        halb.subscribe(states::add);
        Catalog catalog = catalog(halb);
        List<BackendSet> seen = new CopyOnWriteArrayList<>();
        catalog.subscribe("web", seen::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 1);

        ZooKeeperExtension.expireSession(halb.curator(), zk.connectString());
        await().atMost(Duration.ofSeconds(10)).until(() -> states.stream().anyMatch(s -> !s.connected()));
        zk.track(ServiceRegistration.register(registrant, ServiceRegistration.Instance.of("web", "127.0.0.1", 9002)
                .withId("newcomer")));
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 2);
        assertThat(halb.state().connected()).isTrue();
        // Never an empty set after the first full one: the session's end published nothing.
        assertThat(seen.subList(1, seen.size())).allMatch(set -> set.size() >= 1);
        assertThat(states).extracting(DiscoveryState::connected).containsSubsequence(true, false, true);
    }
}
