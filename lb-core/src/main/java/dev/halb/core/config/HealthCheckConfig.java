package dev.halb.core.config;

import java.util.Objects;

/**
 * Active health checking of a VIP's backends.
 *
 * @param type               tcp, http or none
 * @param path               http: the path to GET; healthy iff 2xx within the timeout
 * @param port               0 = the backend's own port
 * @param intervalMs         time between checks of one backend
 * @param timeoutMs          a check slower than this fails
 * @param unhealthyThreshold failed checks in a row that make a backend unhealthy
 * @param healthyThreshold   passed checks in a row that make an unhealthy backend healthy again
 */
public record HealthCheckConfig(HealthCheckType type, String path, int port, int intervalMs, int timeoutMs,
                                int unhealthyThreshold, int healthyThreshold) {

    public static final HealthCheckConfig DEFAULT =
            new HealthCheckConfig(HealthCheckType.TCP, "/health", 0, 1000, 500, 2, 2);

    public HealthCheckConfig {
        Objects.requireNonNull(type, "type");
        path = path == null ? "/health" : path;
    }
}
