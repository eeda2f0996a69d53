package dev.halb.core.admin;

import java.util.List;

/** One replica in {@code GET /api/v1/replicas}, as in its ZooKeeper node. */
public record ReplicaView(String id, String zone, String region, String address, String admin, List<VipBind> vips,
                          String startedAt) {

    public ReplicaView {
        vips = vips == null ? List.of() : List.copyOf(vips);
    }

    /** A VIP of a replica. */
    public record VipBind(String name, String bind) {
    }
}
