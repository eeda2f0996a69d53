package dev.halb.core.admin;

import java.util.List;
import java.util.Map;

/**
 * One VIP in {@code GET /api/v1/vips}.
 *
 * @param bound     whether the listener is up
 * @param error     why it is not bound, or {@code null}
 * @param zoneSplit share of new connections each zone receives now
 */
public record VipView(String name, String bind, String address, boolean bound, String error, String service,
                      String strategy, int activeConnections, int maxConnections, Map<String, Double> zoneSplit,
                      List<BackendView> backends) {
}
