package dev.halb.discovery.zookeeper;

import java.util.List;
import java.util.Objects;

/**
 * One replica as it registers itself in {@code <root>/replicas/<id>}: JSON
 * {@code {id, zone, region, address, admin, vips:[{name, bind, address}], startedAt}}.
 *
 * @param id        the replica id, also the node name
 * @param zone      "" = no zone
 * @param region    "" = none
 * @param address   where the replica's host can be reached
 * @param admin     the admin API's bind address
 * @param vips      the VIPs it serves
 * @param startedAt ISO-8601 instant it started
 */
public record ReplicaInfo(String id, String zone, String region, String address, String admin, List<VipBind> vips,
                          String startedAt) {

    /**
     * A VIP of a replica: its name, bind address, and the address clients connect to ("" in
     * nodes written before replicas gave it).
     */
    public record VipBind(String name, String bind, String address) {
        public VipBind {
            Objects.requireNonNull(name, "name");
            bind = bind == null ? "" : bind;
            address = address == null ? "" : address;
        }

        public VipBind(String name, String bind) {
            this(name, bind, "");
        }
    }

    public ReplicaInfo {
        ZooKeeperSettings.validNodeName("id", id);
        zone = zone == null ? "" : zone;
        region = region == null ? "" : region;
        address = address == null ? "" : address;
        admin = admin == null ? "" : admin;
        vips = vips == null ? List.of() : List.copyOf(vips);
        startedAt = startedAt == null ? "" : startedAt;
    }

    public ReplicaInfo withVips(List<VipBind> newVips) {
        return new ReplicaInfo(id, zone, region, address, admin, newVips, startedAt);
    }
}
