package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Objects;

/**
 * Active health checking of a VIP's backends.
 *
 * @param type               tcp, http or none
 * @param path               http: the path to GET; healthy iff 2xx within the timeout
 * @param port               0 = the backend's own port
 * @param intervalMs         time between checks of one backend
 * @param timeoutMs          a check slower than this fails; at most {@code intervalMs}
 * @param unhealthyThreshold failed checks in a row that make a backend unhealthy
 * @param healthyThreshold   passed checks in a row that make an unhealthy backend healthy again
 */
public record HealthCheckConfig(HealthCheckType type, String path, int port, int intervalMs, int timeoutMs,
                                int unhealthyThreshold, int healthyThreshold) {

    public static final HealthCheckConfig DEFAULT =
            new HealthCheckConfig(HealthCheckType.TCP, "/health", 0, 1000, 500, 2, 2);

    public HealthCheckConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || Checks.hasSpaceOrControl(path)) {
            throw InvalidValueException.of("path", path, "expected: an HTTP path starting with '/', e.g. /health");
        }
        Checks.range("port", port, 0, 65535);
        Checks.range("intervalMs", intervalMs, 10, 3_600_000);
        Checks.range("timeoutMs", timeoutMs, 1, 600_000);
        if (timeoutMs > intervalMs) {
            throw InvalidValueException.of("timeoutMs", timeoutMs, "expected: at most intervalMs (" + intervalMs
                    + "), so that a check ends before the next one starts");
        }
        Checks.range("unhealthyThreshold", unhealthyThreshold, 1, 100);
        Checks.range("healthyThreshold", healthyThreshold, 1, 100);
    }

    /**
     * The configuration of {@code healthCheck}: every {@code null} takes its value from
     * {@link #DEFAULT}, except that an unset timeout follows a short interval down, so that
     * {@code intervalMs: 100} alone is valid.
     */
    @JsonCreator
    static HealthCheckConfig withDefaults(HealthCheckType type, String path, Integer port, Integer intervalMs,
                                          Integer timeoutMs, Integer unhealthyThreshold, Integer healthyThreshold) {
        int interval = Objects.requireNonNullElse(intervalMs, DEFAULT.intervalMs);
        return new HealthCheckConfig(Objects.requireNonNullElse(type, DEFAULT.type),
                Objects.requireNonNullElse(path, DEFAULT.path), Objects.requireNonNullElse(port, DEFAULT.port),
                interval, Objects.requireNonNullElse(timeoutMs, Math.min(DEFAULT.timeoutMs, interval)),
                Objects.requireNonNullElse(unhealthyThreshold, DEFAULT.unhealthyThreshold),
                Objects.requireNonNullElse(healthyThreshold, DEFAULT.healthyThreshold));
    }
}
