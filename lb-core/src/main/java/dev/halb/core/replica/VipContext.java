package dev.halb.core.replica;

import dev.halb.core.accesslog.AccessLog;
import dev.halb.core.metrics.HalbMetrics;
import dev.halb.core.proxy.Transport;
import io.netty.channel.EventLoopGroup;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every VIP of a replica shares: where it runs, the event loops, metrics and name cache.
 *
 * @param replicaZone     this replica's zone ("" = none)
 * @param replicaRegion   this replica's region ("" = none)
 * @param ioGroup         the data path's event loops
 * @param transport       of {@code ioGroup} and {@code healthGroup}
 * @param metrics         the replica's registry
 * @param healthGroup     where health checks run
 * @param seed            per-replica seed of the selectors
 * @param resolver        backend host names
 * @param replicasPerZone live replicas per zone as last seen in the registry; empty = none yet
 * @param accessLog       where every VIP's connections are logged when they end
 */
record VipContext(String replicaZone, String replicaRegion, EventLoopGroup ioGroup, Transport transport,
                  HalbMetrics metrics, EventLoopGroup healthGroup, long seed, HostResolver resolver,
                  Supplier<Map<String, Integer>> replicasPerZone, AccessLog accessLog) {
}
