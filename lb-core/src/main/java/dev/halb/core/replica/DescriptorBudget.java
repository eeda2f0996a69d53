package dev.halb.core.replica;

import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.VipConfig;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file descriptors a configuration can need, against the process's open-file limit: two per
 * proxied connection at every VIP's {@code maxConnections}, one health check socket per static
 * backend, and a reserve for the rest of the replica. At the limit new clients are refused
 * ({@code no_resources}) before {@code maxConnections} is reached, so the replica says so at
 * start and on every reload.
 */
final class DescriptorBudget {

    private static final Logger log = LoggerFactory.getLogger(DescriptorBudget.class);

    /**
     * Descriptors kept free beyond the VIPs' connections: the JVM's own (jars, epoll or io_uring
     * rings, logs), the listeners and their reserve descriptors, the admin API's connections,
     * ZooKeeper, and one health check socket per backend at a time.
     */
    static final long RESERVED = 512;

    private DescriptorBudget() {
    }

    /** Logs a warning when {@code config} can need as many descriptors as the limit allows. */
    static void warnIfOverLimit(HalbConfig config) {
        long connections = 0;
        long backends = 0;
        for (VipConfig v : config.vips()) {
            connections += 2L * v.maxConnections();
            backends += v.backends().size();
        }
        long needed = connections + RESERVED + backends;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long limit = os.getMaxFileDescriptorCount();
            if (needed >= limit) {
                log.warn("maxConnections of all VIPs need up to {} file descriptors (two per connection), {} with "
                        + "what health checks, the admin API and ZooKeeper keep, but the open-file limit is {}: "
                        + "raise it (ulimit -n) or lower maxConnections", connections, needed, limit);
            }
        }
    }
}
