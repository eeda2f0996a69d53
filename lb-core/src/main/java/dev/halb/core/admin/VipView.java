package dev.halb.core.admin;

import java.util.List;
import java.util.Map;

/**
 * One VIP in {@code GET /api/v1/vips}.
 *
 * @param bound       whether the listener is up
 * @param error       why it is not bound (or why its ZooKeeper node is not applied), or {@code null}
 * @param source      {@code config} (the YAML file) or {@code zookeeper} (a dynamic VIP)
 * @param zoneRouting whether new connections prefer this replica's zone, and the share each zone receives
 */
public record VipView(String name, String bind, String address, boolean bound, String error, String source,
                      String service, String strategy, int activeConnections, int maxConnections,
                      ZoneRoutingView zoneRouting, List<BackendView> backends) {

    /** The current zone split of a VIP. */
    public record ZoneRoutingView(String mode, boolean active, String reason, String localZone,
                                  Map<String, Double> split) {
    }
}
