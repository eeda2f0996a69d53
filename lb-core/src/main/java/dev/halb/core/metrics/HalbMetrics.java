package dev.halb.core.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.halb.discovery.Backend;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The replica's Dropwizard {@link MetricRegistry}, the documented metric names, and their
 * Prometheus text exposition.
 */
public final class HalbMetrics {

    private final MetricRegistry registry;
    private final CollectorRegistry prometheus = new CollectorRegistry();
    private final Meter discoveryRejected;

    public HalbMetrics() {
        this(new MetricRegistry());
    }

    public HalbMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.prometheus.register(new DropwizardExports(registry, new PrometheusSampleBuilder()));
        this.discoveryRejected = registry.meter("halb_discovery_rejected");
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** The recorder for one VIP, resolved once when the VIP is bound. */
    public VipMetrics forVip(String vip) {
        return new DropwizardVipMetrics(registry, vip);
    }

    /** Forgets every metric of a removed VIP. */
    public void removeVip(String vip) {
        String needle = "vip=\"" + vip + "\"";
        registry.removeMatching((name, metric) -> name.contains(needle));
    }

    /**
     * {@code halb_backend_healthy{vip,backend,zone}}: 1 while {@code healthy} says so. Replaces a
     * gauge of the same name (a VIP handing over to its reconfigured successor).
     *
     * @return the gauge, for {@link #removeBackendHealth(String, Backend, Gauge)}
     */
    public Gauge<Integer> registerBackendHealth(String vip, Backend backend, BooleanSupplier healthy) {
        String name = backendHealthName(vip, backend);
        Gauge<Integer> gauge = () -> healthy.getAsBoolean() ? 1 : 0;
        registry.remove(name);
        registry.register(name, gauge);
        return gauge;
    }

    public void removeBackendHealth(String vip, Backend backend) {
        registry.remove(backendHealthName(vip, backend));
    }

    /**
     * Removes a backend's health gauge only if it is still {@code gauge}: a successor that
     * registered its own under the same name keeps it.
     */
    public void removeBackendHealth(String vip, Backend backend, Gauge<Integer> gauge) {
        String name = backendHealthName(vip, backend);
        registry.removeMatching((n, m) -> m == gauge && n.equals(name));
    }

    private static String backendHealthName(String vip, Backend backend) {
        return MetricName.encode("halb_backend_healthy", "vip", vip, "backend", backend.id(), "zone", backend.zone());
    }

    /**
     * {@code halb_resolve_failures_total{vip}}: a backend left out because its host name did not
     * resolve (counted once each time a backend starts failing).
     */
    public void resolveFailed(String vip) {
        registry.meter(MetricName.encode("halb_resolve_failures", "vip", vip)).mark();
    }

    /** {@code halb_ejections_total{vip,backend}}. */
    public void ejected(String vip, Backend backend) {
        registry.meter(MetricName.encode("halb_ejections", "vip", vip, "backend", backend.id())).mark();
    }

    /** {@code halb_ejections_capped_total{vip}}: ejections refused by {@code maxEjectionPercent}. */
    public Meter ejectionsCapped(String vip) {
        return registry.meter(MetricName.encode("halb_ejections_capped", "vip", vip));
    }

    /** {@code halb_zone_routing_changes_total{vip,mode}}: zone routing entered {@code mode}. */
    public void zoneRoutingChanged(String vip, String mode) {
        registry.meter(MetricName.encode("halb_zone_routing_changes", "vip", vip, "mode", mode)).mark();
    }

    /** {@code halb_region_routing_changes_total{vip,mode}}: region routing entered {@code mode}. */
    public void regionRoutingChanged(String vip, String mode) {
        registry.meter(MetricName.encode("halb_region_routing_changes", "vip", vip, "mode", mode)).mark();
    }

    /**
     * {@code halb_discovery_connected}: 1 while {@code connected} says so. Registered only by a
     * replica with ZooKeeper: a static-only replica has no such gauge.
     */
    public void registerDiscoveryConnected(BooleanSupplier connected) {
        registry.remove("halb_discovery_connected");
        registry.register("halb_discovery_connected", (Gauge<Integer>) () -> connected.getAsBoolean() ? 1 : 0);
    }

    /**
     * {@code halb_discovery_rejected_total}: one more ZooKeeper node skipped (unreadable instance,
     * replica or VIP node) or discovered backend rejected (outside {@code allowedBackendCidrs}).
     */
    public void discoveryRejected() {
        discoveryRejected.mark();
    }

    public long discoveryRejectedCount() {
        return discoveryRejected.getCount();
    }

    /** The whole registry in the Prometheus text format 0.0.4. */
    public String scrape() {
        StringWriter out = new StringWriter(8192);
        try {
            TextFormat.write004(out, prometheus.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    public static String contentType() {
        return TextFormat.CONTENT_TYPE_004;
    }

    /** The Dropwizard recorder of one VIP; every per-connection metric is resolved here once. */
    private static final class DropwizardVipMetrics implements VipMetrics {
        private final MetricRegistry registry;
        private final String vip;
        private final Meter connections;
        private final Counter active;
        private final Meter bytesClientToBackend;
        private final Meter bytesBackendToClient;
        private final Timer connectTime;
        private final Meter noBackend;
        private final Map<Rejection, Meter> rejected = new EnumMap<>(Rejection.class);
        private final Map<String, Meter> connectFailures = new ConcurrentHashMap<>();
        private final Map<String, Meter> zoneConnections = new ConcurrentHashMap<>();
        private final Map<String, Meter> regionConnections = new ConcurrentHashMap<>();

        DropwizardVipMetrics(MetricRegistry registry, String vip) {
            this.registry = registry;
            this.vip = vip;
            this.connections = registry.meter(MetricName.encode("halb_connections", "vip", vip));
            this.active = registry.counter(MetricName.encode("halb_connections_active", "vip", vip));
            this.bytesClientToBackend = registry.meter(
                    MetricName.encode("halb_bytes", "vip", vip, "direction", "client_to_backend"));
            this.bytesBackendToClient = registry.meter(
                    MetricName.encode("halb_bytes", "vip", vip, "direction", "backend_to_client"));
            this.connectTime = registry.timer(MetricName.encode("halb_connect_seconds", "vip", vip),
                    () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build()));
            this.noBackend = registry.meter(MetricName.encode("halb_no_backend", "vip", vip));
            for (Rejection r : Rejection.values()) {
                rejected.put(r, registry.meter(MetricName.encode("halb_rejected", "vip", vip, "reason", r.label())));
            }
        }

        @Override
        public void connectionOpened() {
            connections.mark();
            active.inc();
        }

        @Override
        public void connectionClosed() {
            active.dec();
        }

        @Override
        public void rejected(Rejection reason) {
            connections.mark();
            rejected.get(reason).mark();
        }

        @Override
        public void noBackend() {
            noBackend.mark();
        }

        @Override
        public void connectSucceeded(Backend backend, long nanos) {
            connectTime.update(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void connectFailed(Backend backend) {
            connectFailures.computeIfAbsent(backend.id(), id -> registry.meter(
                    MetricName.encode("halb_connect_failures", "vip", vip, "backend", id))).mark();
        }

        @Override
        public void zoneConnection(String zone) {
            Meter m = zoneConnections.get(zone);
            if (m == null) {
                m = zoneConnections.computeIfAbsent(zone, z -> registry.meter(
                        MetricName.encode("halb_zone_connections", "vip", vip, "zone", z)));
            }
            m.mark();
        }

        @Override
        public void regionConnection(String region) {
            Meter m = regionConnections.get(region);
            if (m == null) {
                m = regionConnections.computeIfAbsent(region, r -> registry.meter(
                        MetricName.encode("halb_region_connections", "vip", vip, "region", r)));
            }
            m.mark();
        }

        @Override
        public void bytesClientToBackend(long bytes) {
            bytesClientToBackend.mark(bytes);
        }

        @Override
        public void bytesBackendToClient(long bytes) {
            bytesBackendToClient.mark(bytes);
        }
    }
}
