package dev.halb.core.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.halb.discovery.Backend;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The replica's Dropwizard {@link MetricRegistry}, the documented metric names, and their
 * Prometheus text exposition.
 */
public final class HalbMetrics {

    private final MetricRegistry registry;
    private final CollectorRegistry prometheus = new CollectorRegistry();
    private final Total discoveryRejected;
    /** Peer id to the value of its {@code halb_peer_up} gauge; guarded by itself. */
    private final Map<String, AtomicInteger> peerGauges = new HashMap<>();

    public HalbMetrics() {
        this(new MetricRegistry());
    }

    public HalbMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.prometheus.register(new PrometheusExposition(registry));
        this.discoveryRejected = total(registry, "halb_discovery_rejected");
    }

    /** The {@link Total} named {@code name}, registered at 0 when it is new. */
    static Total total(MetricRegistry registry, String name) {
        return (Total) registry.counter(name, Total::new);
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** The recorder for one VIP, resolved once when the VIP is bound. */
    public VipMetrics forVip(String vip) {
        // Counters that alerts take rate() of exist from the start, at 0, not from their first event.
        total(registry, MetricName.encode("halb_resolve_failures", "vip", vip));
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
        // The backend's counters exist from when it joins, at 0: rate() and alerts on them work
        // before the first failure. (Registering returns an existing one: counts are kept.)
        total(registry, connectFailuresName(vip, backend.id()));
        total(registry, ejectionsName(vip, backend));
        if (!backend.zone().isEmpty()) {
            total(registry, MetricName.encode("halb_zone_connections", "vip", vip, "zone", backend.zone()));
        }
        return gauge;
    }

    /** Removes a backend that left: its health gauge and its counters. */
    public void removeBackendHealth(String vip, Backend backend) {
        registry.remove(backendHealthName(vip, backend));
        removeBackendCounters(vip, backend);
    }

    private void removeBackendCounters(String vip, Backend backend) {
        registry.remove(connectFailuresName(vip, backend.id()));
        registry.remove(ejectionsName(vip, backend));
    }

    private static String connectFailuresName(String vip, String backendId) {
        return MetricName.encode("halb_connect_failures", "vip", vip, "backend", backendId);
    }

    private static String ejectionsName(String vip, Backend backend) {
        return MetricName.encode("halb_ejections", "vip", vip, "backend", backend.id());
    }

    /**
     * Removes a backend's health gauge only if it is still {@code gauge}: a successor that
     * registered its own under the same name keeps it.
     */
    public void removeBackendHealth(String vip, Backend backend, Gauge<Integer> gauge) {
        String name = backendHealthName(vip, backend);
        if (registry.getGauges().get(name) == gauge) {
            registry.remove(name);
            removeBackendCounters(vip, backend);
        }
    }

    private static String backendHealthName(String vip, Backend backend) {
        return MetricName.encode("halb_backend_healthy", "vip", vip, "backend", backend.id(), "zone", backend.zone());
    }

    /**
     * {@code halb_resolve_failures_total{vip}}: a backend left out because its host name did not
     * resolve (counted once each time a backend starts failing).
     */
    public void resolveFailed(String vip) {
        total(registry, MetricName.encode("halb_resolve_failures", "vip", vip)).mark();
    }

    /** {@code halb_ejections_total{vip,backend}}. */
    public void ejected(String vip, Backend backend) {
        total(registry, ejectionsName(vip, backend)).mark();
    }

    /** {@code halb_ejections_capped_total{vip}}: ejections refused by {@code maxEjectionPercent}. */
    public Total ejectionsCapped(String vip) {
        return total(registry, MetricName.encode("halb_ejections_capped", "vip", vip));
    }

    /** {@code halb_zone_routing_changes_total{vip,mode}}: zone routing entered {@code mode}. */
    public void zoneRoutingChanged(String vip, String mode) {
        total(registry, MetricName.encode("halb_zone_routing_changes", "vip", vip, "mode", mode)).mark();
    }

    /** {@code halb_region_routing_changes_total{vip,mode}}: region routing entered {@code mode}. */
    public void regionRoutingChanged(String vip, String mode) {
        total(registry, MetricName.encode("halb_region_routing_changes", "vip", vip, "mode", mode)).mark();
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
     * {@code halb_peer_up{peer}}: the peers this replica probes now, 1 while it sees the peer
     * serving, else 0 (draining or down). Peers no longer registered are removed.
     */
    public void peersChanged(Map<String, Boolean> upByPeer) {
        synchronized (peerGauges) {
            for (Iterator<String> it = peerGauges.keySet().iterator(); it.hasNext(); ) {
                String peer = it.next();
                if (!upByPeer.containsKey(peer)) {
                    registry.remove(MetricName.encode("halb_peer_up", "peer", peer));
                    it.remove();
                }
            }
            upByPeer.forEach((peer, up) -> {
                AtomicInteger value = peerGauges.get(peer);
                if (value == null) {
                    AtomicInteger v = new AtomicInteger();
                    registry.register(MetricName.encode("halb_peer_up", "peer", peer), (Gauge<Integer>) v::get);
                    peerGauges.put(peer, v);
                    value = v;
                }
                value.set(up ? 1 : 0);
            });
        }
    }

    /**
     * {@code halb_discovery_rejected_total}: one more ZooKeeper node skipped (unreadable instance,
     * replica or VIP node) or discovered backend rejected (outside {@code allowedBackendCidrs}).
     */
    public void discoveryRejected() {
        discoveryRejected.mark();
    }

    /** The outcomes of a configuration reload, the {@code result} label of {@link #configReloaded}. */
    public static final java.util.List<String> RELOAD_RESULTS = java.util.List.of("ok", "failed");

    /**
     * {@code halb_config_reloads_total{result}}: one more reload of the configuration file, with
     * its outcome: {@code ok}, or {@code failed} (the file was refused and nothing changed, or it
     * was applied but a VIP could not be bound).
     */
    public void configReloaded(String result) {
        total(registry, MetricName.encode("halb_config_reloads", "result", result)).mark();
    }

    /** Exports every reload outcome at 0 from the start, so that rate() and alerts work at once. */
    public void registerConfigReloads() {
        for (String result : RELOAD_RESULTS) {
            total(registry, MetricName.encode("halb_config_reloads", "result", result));
        }
    }

    /**
     * {@code halb_access_log_dropped_total}: exported at 0 from the start; the returned meter is
     * marked once per access record dropped.
     */
    public Total accessLogDropped() {
        return total(registry, "halb_access_log_dropped");
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

    /**
     * The DNS responder's recorder: {@code halb_dns_queries_total{transport, rcode}},
     * {@code halb_dns_truncated_total}, {@code halb_dns_dropped_total}, every series at 0 from
     * the start.
     */
    public DnsMetrics registerDns() {
        return new DropwizardDnsMetrics(registry);
    }

    /** Meters resolved once, indexed by transport and response code, so that a query costs one mark. */
    private static final class DropwizardDnsMetrics implements DnsMetrics {
        private final Total[] answered = new Total[DnsMetrics.TRANSPORTS.size() * DnsMetrics.RCODES.size()];
        private final Total truncated;
        private final Total dropped;

        DropwizardDnsMetrics(MetricRegistry registry) {
            for (int t = 0; t < DnsMetrics.TRANSPORTS.size(); t++) {
                for (int r = 0; r < DnsMetrics.RCODES.size(); r++) {
                    answered[t * DnsMetrics.RCODES.size() + r] = total(registry, MetricName.encode("halb_dns_queries",
                            "transport", DnsMetrics.TRANSPORTS.get(t), "rcode", DnsMetrics.RCODES.get(r)));
                }
            }
            truncated = total(registry, "halb_dns_truncated");
            dropped = total(registry, "halb_dns_dropped");
        }

        @Override
        public void answered(boolean tcp, int rcode) {
            int r = switch (rcode) {
                case 0 -> 0;
                case 3 -> 1;
                case 5 -> 2;
                case 1 -> 3;
                case 4 -> 4;
                default -> 5;
            };
            answered[(tcp ? 1 : 0) * DnsMetrics.RCODES.size() + r].mark();
        }

        @Override
        public void truncated() {
            truncated.mark();
        }

        @Override
        public void dropped() {
            dropped.mark();
        }
    }

    /** The Dropwizard recorder of one VIP; every per-connection metric is resolved here once. */
    private static final class DropwizardVipMetrics implements VipMetrics {
        private final MetricRegistry registry;
        private final String vip;
        private final Total connections;
        private final Counter active;
        private final Total bytesClientToBackend;
        private final Total bytesBackendToClient;
        private final Latency connectTime;
        private final Total noBackend;
        private final Map<Rejection, Total> rejected = new EnumMap<>(Rejection.class);
        private final Map<String, Total> zoneConnections = new ConcurrentHashMap<>();
        private final Map<String, Total> regionConnections = new ConcurrentHashMap<>();

        DropwizardVipMetrics(MetricRegistry registry, String vip) {
            this.registry = registry;
            this.vip = vip;
            this.connections = total(registry, MetricName.encode("halb_connections", "vip", vip));
            this.active = registry.counter(MetricName.encode("halb_connections_active", "vip", vip));
            this.bytesClientToBackend = total(registry, 
                    MetricName.encode("halb_bytes", "vip", vip, "direction", "client_to_backend"));
            this.bytesBackendToClient = total(registry, 
                    MetricName.encode("halb_bytes", "vip", vip, "direction", "backend_to_client"));
            this.connectTime = (Latency) registry.histogram(MetricName.encode("halb_connect_seconds", "vip", vip),
                    Latency::new);
            this.noBackend = total(registry, MetricName.encode("halb_no_backend", "vip", vip));
            for (Rejection r : Rejection.values()) {
                rejected.put(r, total(registry, MetricName.encode("halb_rejected", "vip", vip, "reason", r.label())));
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
            connectTime.update(nanos);
        }

        @Override
        public void connectFailed(Backend backend) {
            // Looked up each time (failures are rare): a backend that left and came back has a new meter.
            total(registry, connectFailuresName(vip, backend.id())).mark();
        }

        @Override
        public void zoneConnection(String zone) {
            Total m = zoneConnections.get(zone);
            if (m == null) {
                m = zoneConnections.computeIfAbsent(zone, z -> total(registry, 
                        MetricName.encode("halb_zone_connections", "vip", vip, "zone", z)));
            }
            m.mark();
        }

        @Override
        public void regionConnection(String region) {
            Total m = regionConnections.get(region);
            if (m == null) {
                m = regionConnections.computeIfAbsent(region, r -> total(registry, 
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
