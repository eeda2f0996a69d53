package dev.halb.discovery.zookeeper;

import dev.halb.discovery.testing.ShopPayload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSet;
import dev.halb.discovery.Catalog;
import dev.halb.discovery.Locality;
import dev.halb.discovery.BackendOrigin;
import dev.halb.discovery.StaticBackendSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A service that knows nothing of halb registers with a plain Curator {@code ServiceDiscovery}
 * and its own payload class; halb's source reports it through the catalog, with zone and weight.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InteropTest {

    @RegisterExtension
    final ZooKeeperExtension zk = new ZooKeeperExtension();

    private static ServiceInstance<ShopPayload> instance(String id, int port, String zone, int weight)
            throws Exception {
        return ServiceInstance.<ShopPayload>builder().name("shop").id(id).address("127.0.0.1").port(port)
                .payload(new ShopPayload(zone, weight, "no halb code here")).build();
    }

    @Test
    void plainCuratorRegistrationsAreBalancedAndUnregisteringRemovesThem() throws Exception {
        CuratorFramework serviceClient = zk.plainClient();
        ServiceDiscovery<ShopPayload> discovery = ServiceDiscoveryBuilder.builder(ShopPayload.class)
                .client(serviceClient).basePath("/halb/services").build();
        discovery.start();
        zk.track(discovery);
        ServiceInstance<ShopPayload> a = instance("shop-a", 9001, "a", 100);
        ServiceInstance<ShopPayload> b = instance("shop-b", 9002, "b", 300);
        discovery.registerService(a);
        discovery.registerService(b);

        ZooKeeperConnection connection = zk.connect();
        CountingRecorder recorder = new CountingRecorder();
        Backend fixed = Backend.ofStatic("10.9.9.9", 80, Locality.NONE, 100);
        Catalog catalog = zk.track(new Catalog(List.of(new StaticBackendSource(Map.of("shop", List.of(fixed))),
                new ZooKeeperBackendSource(connection, recorder))));
        List<BackendSet> seen = new CopyOnWriteArrayList<>();
        catalog.subscribe("shop", seen::add);
        catalog.start();

        // start() waited for the first full read: the first set with ZooKeeper's backends is complete.
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("shop").size() == 3);
        assertThat(seen).noneMatch(s -> s.size() == 2);
        assertThat(catalog.backends("shop").backends()).containsExactly(
                fixed,
                new Backend("shop-a", "127.0.0.1", 9001, Locality.ofZone("a"), 100, BackendOrigin.ZOOKEEPER, true),
                new Backend("shop-b", "127.0.0.1", 9002, Locality.ofZone("b"), 300, BackendOrigin.ZOOKEEPER, true));

        discovery.unregisterService(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("shop").size() == 2);
        assertThat(catalog.backends("shop").backends()).extracting(Backend::id).containsExactly("10.9.9.9:80",
                "shop-b");

        // Curator writes "enabled" when its serializer is not in compatible mode; false = drained.
        ServiceDiscovery<ShopPayload> modern = ServiceDiscoveryBuilder.builder(ShopPayload.class)
                .client(serviceClient).basePath("/halb/services")
                .serializer(new JsonInstanceSerializer<>(ShopPayload.class, false)).build();
        modern.start();
        zk.track(modern);
        modern.registerService(ServiceInstance.<ShopPayload>builder().name("shop").id("shop-c").address("127.0.0.1")
                .port(9003).payload(new ShopPayload("a", 100, "draining")).enabled(false).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("shop").size() == 3);
        assertThat(catalog.backends("shop").backends().get(2))
                .isEqualTo(new Backend("shop-c", "127.0.0.1", 9003, Locality.ofZone("a"), 100, BackendOrigin.ZOOKEEPER, false));
        assertThat(recorder.count()).isZero();
    }

    @Test
    void halbRegistrationsAreCuratorsFormatAndReadableByPlainCurator() throws Exception {
        ZooKeeperConnection connection = zk.connect();
        ServiceRegistration registration = zk.track(ServiceRegistration.register(connection,
                ServiceRegistration.Instance.of("web", "127.0.0.1", 8081).withId("web-1")
                        .withLocality(new Locality("a", "r", "k")).withWeight(40)));
        assertThat(registration.path()).isEqualTo("/halb/services/web/web-1");

        CuratorFramework other = zk.plainClient();
        // Curator's ServiceDiscovery registers again (delete, then create) when its connection
        // event arrives after the first registration, so the node may be briefly absent.
        byte[] body = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> other.getData().forPath(registration.path()), b -> b != null);
        String json = new String(body, StandardCharsets.UTF_8);
        assertThat(json).contains("\"name\":\"web\"", "\"id\":\"web-1\"", "\"address\":\"127.0.0.1\"",
                "\"port\":8081", "\"serviceType\":\"DYNAMIC\"", "\"enabled\":true",
                "\"@class\":\"dev.halb.discovery.zookeeper.InstancePayload\"", "\"zone\":\"a\"", "\"weight\":40");
        assertThat(other.checkExists().forPath(registration.path()).getEphemeralOwner()).isNotZero();

        // A Curator user with the payload class reads it back with Curator's own serializer.
        ServiceInstance<InstancePayload> read = new JsonInstanceSerializer<>(InstancePayload.class).deserialize(body);
        assertThat(read.getPayload()).isEqualTo(new InstancePayload("a", "r", "k", 40));

        // And a plain ServiceDiscovery lists it.
        ServiceDiscovery<InstancePayload> discovery = ServiceDiscoveryBuilder.builder(InstancePayload.class)
                .client(other).basePath("/halb/services").build();
        discovery.start();
        zk.track(discovery);
        Collection<ServiceInstance<InstancePayload>> listed = discovery.queryForInstances("web");
        assertThat(listed).extracting(ServiceInstance::getId).containsExactly("web-1");

        registration.close();
        assertThat(other.checkExists().forPath(registration.path())).isNull();
    }
}
