package dev.halb.core.admin;

import dev.halb.core.balance.RegionRouting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One VIP in {@code GET /api/v1/vips}.
 *
 * @param bound       whether the listener is up
 * @param error       why it is not bound (or why its ZooKeeper node is not applied), or {@code null}
 * @param source      {@code config} (the YAML file) or {@code zookeeper} (a dynamic VIP)
 * @param zoneRouting   whether new connections prefer this replica's zone, and the share each zone receives
 * @param regionRouting whether new connections prefer this replica's region, and the share that fails over
 */
public record VipView(String name, String bind, String address, boolean bound, String error, String source,
                      String service, String strategy, int activeConnections, int maxConnections,
                      ZoneRoutingView zoneRouting, RegionRoutingView regionRouting, List<BackendView> backends) {

    /** The current zone split of a VIP. */
    public record ZoneRoutingView(String mode, boolean active, String reason, String localZone,
                                  Map<String, Double> split) {
    }

    /**
     * The current region failover of a VIP.
     *
     * @param local                  this replica's region ("" = none)
     * @param healthyShare           candidates / registered backends of the local region (and
     *                               region-less backends)
     * @param shares                 {@code local} and {@code remote}: the share of new connections
     *                               that stays in the local region and the share that fails over
     * @param regions                region -> share of new connections, by weight within each level
     */
    public record RegionRoutingView(String mode, boolean active, String reason, String local,
                                    double overprovisioningFactor, double healthyShare, Map<String, Double> shares,
                                    Map<String, Double> regions) {

        /** The view of a selector's region routing. */
        public static RegionRoutingView of(RegionRouting r) {
            Map<String, Double> shares = new LinkedHashMap<>();
            shares.put("local", r.mode() == RegionRouting.Mode.NO_CANDIDATES ? 0.0 : r.localShare());
            shares.put("remote", r.remoteShare());
            return new RegionRoutingView(r.mode().label(), r.active(), r.mode().reason(), r.localRegion(),
                    r.overprovisioningFactor(), r.healthyShare(), shares, r.regions());
        }
    }
}
