package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.halb.discovery.Backend;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One virtual IP: a listener and the service it balances over.
 *
 * @param name                1-63 characters of a-z, 0-9 and '-', unique
 * @param bind                where clients connect
 * @param service             discovery service name; {@code null} or "" = the name
 * @param strategy            how a backend is picked
 * @param zoneAffinity        zone preference
 * @param regionFailover      other regions only as failover, in proportion to the local region's lost capacity
 * @param backends            static backends, merged with discovered ones; each address:port once
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
                        ZoneAffinityConfig zoneAffinity, RegionFailoverConfig regionFailover,
                        List<BackendConfig> backends, HealthCheckConfig healthCheck,
                        OutlierDetectionConfig outlierDetection, int connectTimeoutMs, int connectRetries,
                        long idleTimeoutMs, long finTimeoutMs, int maxConnections, ProxyProtocol proxyProtocol,
                        List<Cidr> allowedBackendCidrs) {

    /** HAProxy's usual {@code timeout client-fin}: long enough for a reply to a half-closed request to start. */
    public static final long DEFAULT_FIN_TIMEOUT_MS = 5_000;

    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,63}");
    private static final String NAME_RULE = "expected: 1-63 characters of a-z, 0-9 and '-'";
    private static final long MAX_TIMEOUT_MS = 30L * 24 * 3600 * 1000;

    public VipConfig {
        Checks.required("name", name, NAME_RULE);
        if (!NAME.matcher(name).matches()) {
            throw InvalidValueException.of("name", name, NAME_RULE);
        }
        Checks.required("bind", bind, "expected: host:port, e.g. 0.0.0.0:8080");
        service = service == null || service.isEmpty() ? name : service;
        if (!Checks.isNodeName(service)) {
            // The service name is a node under /halb/services.
            throw InvalidValueException.of("service", service,
                    "expected: a discovery service name: no '/', spaces or control characters");
        }
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(zoneAffinity, "zoneAffinity");
        Objects.requireNonNull(regionFailover, "regionFailover");
        backends = List.copyOf(backends);
        checkBackendIds(backends);
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(outlierDetection, "outlierDetection");
        Checks.range("connectTimeoutMs", connectTimeoutMs, 1, 600_000);
        Checks.range("connectRetries", connectRetries, 0, 10);
        Checks.range("idleTimeoutMs", idleTimeoutMs, 1, MAX_TIMEOUT_MS);
        Checks.range("finTimeoutMs", finTimeoutMs, 1, MAX_TIMEOUT_MS);
        Checks.range("maxConnections", maxConnections, 1, 1_000_000);
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        allowedBackendCidrs = List.copyOf(allowedBackendCidrs);
    }

    /** A VIP with every optional key at its default: handy in tests and the demo. */
    public static VipConfig of(String name, BindAddress bind, List<BackendConfig> backends) {
        return withDefaults(name, bind, null, null, null, null, backends, null, null, null, null, null, null, null,
                null, null);
    }

    /** The configuration of one {@code vips} entry: name and bind are required, every {@code null} else is its default. */
    @JsonCreator
    static VipConfig withDefaults(String name, BindAddress bind, String service, Strategy strategy,
                                  ZoneAffinityConfig zoneAffinity, RegionFailoverConfig regionFailover,
                                  List<BackendConfig> backends,
                                  HealthCheckConfig healthCheck, OutlierDetectionConfig outlierDetection,
                                  Integer connectTimeoutMs, Integer connectRetries, Long idleTimeoutMs,
                                  Long finTimeoutMs, Integer maxConnections, ProxyProtocol proxyProtocol,
                                  List<Cidr> allowedBackendCidrs) {
        return new VipConfig(name, bind, service, Objects.requireNonNullElse(strategy, Strategy.P2C),
                Objects.requireNonNullElse(zoneAffinity, ZoneAffinityConfig.DEFAULT),
                Objects.requireNonNullElse(regionFailover, RegionFailoverConfig.DEFAULT),
                Objects.requireNonNullElse(backends, List.of()),
                Objects.requireNonNullElse(healthCheck, HealthCheckConfig.DEFAULT),
                Objects.requireNonNullElse(outlierDetection, OutlierDetectionConfig.DEFAULT),
                Objects.requireNonNullElse(connectTimeoutMs, 1000),
                Objects.requireNonNullElse(connectRetries, 2),
                Objects.requireNonNullElse(idleTimeoutMs, 600_000L),
                Objects.requireNonNullElse(finTimeoutMs, DEFAULT_FIN_TIMEOUT_MS),
                Objects.requireNonNullElse(maxConnections, 10_000),
                Objects.requireNonNullElse(proxyProtocol, ProxyProtocol.OFF),
                Objects.requireNonNullElse(allowedBackendCidrs, List.of()));
    }

    /** The same VIP with other {@code regionFailover} settings. */
    public VipConfig withRegionFailover(RegionFailoverConfig failover) {
        return new VipConfig(name, bind, service, strategy, zoneAffinity, failover, backends, healthCheck,
                outlierDetection, connectTimeoutMs, connectRetries, idleTimeoutMs, finTimeoutMs, maxConnections,
                proxyProtocol, allowedBackendCidrs);
    }

    public List<Backend> staticBackends() {
        return backends.stream().map(BackendConfig::toBackend).toList();
    }

    /** A second entry with the same address:port would shadow the first. */
    private static void checkBackendIds(List<BackendConfig> backends) {
        Map<String, String> keysById = new HashMap<>();
        for (int i = 0; i < backends.size(); i++) {
            String key = "backends[" + i + "]";
            String id = backends.get(i).id();
            String earlier = keysById.putIfAbsent(id, key);
            if (earlier != null) {
                throw InvalidValueException.of(key, id, "expected: each address:port once per VIP; {} has it too",
                        earlier);
            }
        }
    }
}
