package dev.halb.core.admin;

import dev.halb.core.proxy.DirectMemory;

/**
 * {@code GET /api/v1/status}.
 *
 * @param discovery             {@code static} (no ZooKeeper configured), {@code connected} or
 *                              {@code disconnected}
 * @param discoverySinceSeconds seconds since discovery entered its current state (static: the uptime)
 * @param zookeeper             the ZooKeeper connect string in use (an embedded server's real
 *                              address), {@code ""} without ZooKeeper
 * @param lastReload            the last reload of the configuration file, {@code null} before the first
 * @param directMemory          the direct memory where connections buffer
 */
public record StatusView(String id, String zone, String region, String version, String transport,
                         String startedAt, long uptimeSeconds, String state, String discovery,
                         long discoverySinceSeconds, String zookeeper, ReloadView lastReload,
                         DirectMemory.Usage directMemory) {
}
