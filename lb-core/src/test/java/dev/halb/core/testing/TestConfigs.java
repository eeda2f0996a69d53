package dev.halb.core.testing;

import dev.halb.core.config.AdminConfig;
import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.BindAddress;
import dev.halb.core.config.DiscoveryConfig;
import dev.halb.core.config.DrainConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.HealthCheckType;
import dev.halb.core.config.ReplicaConfig;
import dev.halb.core.config.VipConfig;
import java.util.Arrays;
import java.util.List;

/** Configurations for tests: everything on 127.0.0.1 with kernel-chosen ports. */
public final class TestConfigs {

    public static final BindAddress ANY_LOOPBACK_PORT = new BindAddress("127.0.0.1", 0);

    private TestConfigs() {
    }

    /** A VIP named {@code name} on a free loopback port over these backends, no health checks. */
    public static VipConfig vip(String name, TestBackend... backends) {
        List<BackendConfig> list = Arrays.stream(backends)
                .map(b -> new BackendConfig("127.0.0.1", b.port(), "", "", "", 100))
                .toList();
        return vip(name, list);
    }

    public static VipConfig vip(String name, List<BackendConfig> backends) {
        VipConfig v = VipConfig.of(name, ANY_LOOPBACK_PORT, backends);
        return withHealthCheck(v, new HealthCheckConfig(HealthCheckType.NONE, "/health", 0, 1000, 500, 2, 2));
    }

    public static BackendConfig backend(int port) {
        return new BackendConfig("127.0.0.1", port, "", "", "", 100);
    }

    public static HalbConfig replica(VipConfig... vips) {
        return new HalbConfig(new ReplicaConfig("test-replica", "", ""), DiscoveryConfig.DEFAULT,
                new AdminConfig(ANY_LOOPBACK_PORT, "secret"), List.of(vips), new DrainConfig(0, 5_000));
    }

    public static VipConfig withHealthCheck(VipConfig v, HealthCheckConfig hc) {
        return new VipConfig(v.name(), v.bind(), v.service(), v.strategy(), v.zoneAffinity(), v.regionFailover(), v.backends(), hc,
                v.outlierDetection(), v.connectTimeoutMs(), v.connectRetries(), v.idleTimeoutMs(), v.finTimeoutMs(), v.maxConnections(),
                v.proxyProtocol(), v.allowedBackendCidrs());
    }

    public static VipConfig withLimits(VipConfig v, int maxConnections, long idleTimeoutMs) {
        return new VipConfig(v.name(), v.bind(), v.service(), v.strategy(), v.zoneAffinity(), v.regionFailover(), v.backends(),
                v.healthCheck(), v.outlierDetection(), v.connectTimeoutMs(), v.connectRetries(), idleTimeoutMs,
                v.finTimeoutMs(), maxConnections, v.proxyProtocol(), v.allowedBackendCidrs());
    }
}
