package dev.halb.core.testing;

import dev.halb.core.config.AdminConfig;
import dev.halb.core.config.DiscoveryConfig;
import dev.halb.core.config.DrainConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.ReplicaConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.config.ZooKeeperConfig;
import dev.halb.discovery.testing.ShopPayload;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;

/** Replicas on ZooKeeper and backends registered the way any Curator service registers. */
public final class ZooKeeperConfigs {

    /** Where Curator services register for halb's default root. */
    public static final String SERVICES = "/halb/services";

    private ZooKeeperConfigs() {
    }

    /** A replica on ZooKeeper at {@code connect} (short timeouts), admin on a free loopback port. */
    public static HalbConfig replica(String id, String zone, String connect, VipConfig... vips) {
        return replica(id, zone, new ZooKeeperConfig(connect, "/halb", 10_000, 3_000, ""), vips);
    }

    public static HalbConfig replica(String id, String zone, ZooKeeperConfig zk, VipConfig... vips) {
        return new HalbConfig(new ReplicaConfig(id, zone, ""), new DiscoveryConfig(zk),
                new AdminConfig(TestConfigs.ANY_LOOPBACK_PORT, "secret"), List.of(vips), new DrainConfig(0, 2_000));
    }

    /** A started {@code ServiceDiscovery} with its own payload class, as a service outside halb builds it. */
    public static ServiceDiscovery<ShopPayload> discovery(CuratorFramework client) throws Exception {
        ServiceDiscovery<ShopPayload> d = ServiceDiscoveryBuilder.builder(ShopPayload.class).client(client)
                .basePath(SERVICES).build();
        d.start();
        return d;
    }

    /** An instance of {@code service} on 127.0.0.1. */
    public static ServiceInstance<ShopPayload> instance(String service, String id, int port, String zone)
            throws Exception {
        return instance(service, id, "127.0.0.1", port, zone);
    }

    public static ServiceInstance<ShopPayload> instance(String service, String id, String address, int port,
                                                         String zone) throws Exception {
        return ServiceInstance.<ShopPayload>builder().name(service).id(id).address(address).port(port)
                .payload(new ShopPayload(zone, 100, "no halb code here")).build();
    }
}
