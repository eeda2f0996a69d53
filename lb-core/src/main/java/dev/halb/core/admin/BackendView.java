package dev.halb.core.admin;

/**
 * One backend of a VIP in {@code GET /api/v1/vips}.
 *
 * @param source {@code static} or {@code zookeeper}
 * @param state  {@code healthy}, {@code unhealthy}, {@code ejected} or {@code drained}
 */
public record BackendView(String id, String address, int port, String zone, String region, String rack, int weight,
                          String source, String state, int activeConnections) {
}
