package dev.halb.core.testing;

import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.HealthCheckType;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.config.ZoneAffinityConfig;
import java.util.List;
import java.util.stream.IntStream;

/** VIPs with health checking and outlier ejection, for the health tests. */
public final class HealthTestConfigs {

    private HealthTestConfigs() {
    }

    public static HealthCheckConfig tcpCheck(int intervalMs, int timeoutMs, int unhealthy, int healthy) {
        return new HealthCheckConfig(HealthCheckType.TCP, "/health", 0, intervalMs, timeoutMs, unhealthy, healthy);
    }

    public static HealthCheckConfig httpCheck(String path, int intervalMs, int timeoutMs, int unhealthy, int healthy) {
        return new HealthCheckConfig(HealthCheckType.HTTP, path, 0, intervalMs, timeoutMs, unhealthy, healthy);
    }

    public static HealthCheckConfig noCheck() {
        return new HealthCheckConfig(HealthCheckType.NONE, "/health", 0, 1000, 500, 2, 2);
    }

    /** A VIP on a free loopback port over backends on these loopback ports. */
    public static VipConfig vip(String name, int[] ports, HealthCheckConfig check, OutlierDetectionConfig outlier,
                                int connectRetries) {
        return vip(name, IntStream.of(ports).mapToObj(TestConfigs::backend).toList(), check, outlier, connectRetries);
    }

    /** A VIP on a free loopback port over these backends, without zone affinity. */
    public static VipConfig vip(String name, List<BackendConfig> backends, HealthCheckConfig check,
                                OutlierDetectionConfig outlier, int connectRetries) {
        VipConfig v = VipConfig.of(name, TestConfigs.ANY_LOOPBACK_PORT, backends);
        return new VipConfig(v.name(), v.bind(), v.service(), v.strategy(), new ZoneAffinityConfig(false, 3), v.regionFailover(),
                v.backends(), check, outlier, v.connectTimeoutMs(), connectRetries, v.idleTimeoutMs(), v.finTimeoutMs(),
                v.maxConnections(), v.proxyProtocol(), v.allowedBackendCidrs());
    }

    /** A backend on a loopback port in {@code zone}. */
    public static BackendConfig backend(int port, String zone) {
        return new BackendConfig("127.0.0.1", port, zone, "", "", 100);
    }

    public static HalbConfig replica(VipConfig vip) {
        return TestConfigs.replica(vip);
    }
}
