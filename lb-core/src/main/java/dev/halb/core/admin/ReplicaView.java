package dev.halb.core.admin;

import java.util.List;

/**
 * One replica in {@code GET /api/v1/replicas}, as in its ZooKeeper node, with its {@code state}
 * ({@code serving}, {@code draining}, {@code down}) as the answering replica sees it.
 */
public record ReplicaView(String id, String zone, String region, String address, String admin, List<VipBind> vips,
                          String startedAt, String state) {

    public ReplicaView {
        vips = vips == null ? List.of() : List.copyOf(vips);
    }

    /** A VIP of a replica: where it is bound, and the address clients connect to ("" if not given). */
    public record VipBind(String name, String bind, String address) {
    }
}
