package dev.halb.core.admin;

/**
 * {@code GET /api/v1/status}.
 *
 * @param discovery {@code static}, {@code connected} or {@code disconnected}
 * @param discoverySinceSeconds seconds since discovery entered its current state
 */
public record StatusView(String id, String zone, String region, String version, String transport,
                         String startedAt, long uptimeSeconds, String state, String discovery,
                         long discoverySinceSeconds) {
}
