package dev.halb.core.config;

import dev.halb.discovery.Backend;
import java.util.List;
import java.util.Objects;

/**
 * One virtual IP: a listener and the service it balances over.
 *
 * @param name                [a-z0-9-]+, unique
 * @param bind                where clients connect
 * @param service             discovery service name (defaults to the name)
 * @param strategy            how a backend is picked
 * @param zoneAffinity        zone preference
 * @param backends            static backends, merged with discovered ones
 * @param healthCheck         active health checks
 * @param outlierDetection    ejection after failed connects
 * @param connectTimeoutMs    a backend connect slower than this fails and is retried elsewhere
 * @param connectRetries      other backends tried after a failed connect
 * @param idleTimeoutMs       a connection with no bytes either way this long is closed
 * @param finTimeoutMs        once one side has sent its FIN or closed, the connection is closed after this
 *                            long without bytes moving (the other side's queued bytes included)
 * @param maxConnections      open client connections per replica; beyond it new clients are closed at once
 * @param proxyProtocol       PROXY header sent to backends
 * @param allowedBackendCidrs discovered backends outside these are rejected; empty = any
 */
public record VipConfig(String name, BindAddress bind, String service, Strategy strategy,
                        ZoneAffinityConfig zoneAffinity, List<BackendConfig> backends, HealthCheckConfig healthCheck,
                        OutlierDetectionConfig outlierDetection, int connectTimeoutMs, int connectRetries,
                        long idleTimeoutMs, long finTimeoutMs, int maxConnections, ProxyProtocol proxyProtocol,
                        List<Cidr> allowedBackendCidrs) {

    /** HAProxy's usual {@code timeout client-fin}: long enough for a reply to a half-closed request to start. */
    public static final long DEFAULT_FIN_TIMEOUT_MS = 5_000;

    public VipConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        service = service == null || service.isEmpty() ? name : service;
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(zoneAffinity, "zoneAffinity");
        backends = List.copyOf(backends);
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(outlierDetection, "outlierDetection");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        allowedBackendCidrs = List.copyOf(allowedBackendCidrs);
        if (idleTimeoutMs < 1) {
            throw new IllegalArgumentException("idleTimeoutMs: " + idleTimeoutMs + " (expected: at least 1)");
        }
        if (finTimeoutMs < 1) {
            throw new IllegalArgumentException("finTimeoutMs: " + finTimeoutMs + " (expected: at least 1)");
        }
    }

    /** A VIP with every optional key at its default: handy in tests and the demo. */
    public static VipConfig of(String name, BindAddress bind, List<BackendConfig> backends) {
        return new VipConfig(name, bind, name, Strategy.P2C, ZoneAffinityConfig.DEFAULT, backends,
                HealthCheckConfig.DEFAULT, OutlierDetectionConfig.DEFAULT, 1000, 2, 600_000, DEFAULT_FIN_TIMEOUT_MS, 10_000,
                ProxyProtocol.OFF, List.of());
    }

    public List<Backend> staticBackends() {
        return backends.stream().map(BackendConfig::toBackend).toList();
    }
}
