package dev.halb.core.replica;

import com.codahale.metrics.Meter;
import dev.halb.core.admin.BackendView;
import dev.halb.core.admin.VipView;
import dev.halb.core.balance.Endpoint;
import dev.halb.core.balance.VipSelector;
import dev.halb.core.balance.ZoneContext;
import dev.halb.core.balance.ZoneRouting;
import dev.halb.core.balance.ZoneRoutingRecorder;
import dev.halb.core.config.VipConfig;
import dev.halb.core.health.HealthMonitor;
import dev.halb.core.health.HealthRecorder;
import dev.halb.core.health.HealthStatus;
import dev.halb.core.metrics.HalbMetrics;
import dev.halb.core.proxy.Transport;
import dev.halb.core.proxy.VipListener;
import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSet;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VIP's slice of the replica: its endpoints (backends with live connection counts), their
 * health, which of them are candidates, the selector over the candidates, and the listener.
 *
 * <p>A candidate is enabled by its source, not drained by an operator, and healthy and not
 * ejected according to the {@link HealthMonitor}. Catalog snapshots, drain requests and health
 * changes (on the health event loop) arrive on other threads and are applied under one lock; each
 * change publishes a new picker. The data path never takes that lock.
 */
final class VipRuntime {

    private static final Logger log = LoggerFactory.getLogger(VipRuntime.class);

    /** Besides the health checks' own budget, time for the catalog to hand over the static backends. */
    private static final long FIRST_CHECK_MARGIN_MS = 100;

    private final VipConfig config;
    private final HalbMetrics metrics;
    private final VipSelector selector;
    private final HealthMonitor health;
    private final VipListener listener;
    /** Ids of the configured static backends, to know when the catalog has handed them over. */
    private final Set<String> staticIds = new HashSet<>();
    private final Object lock = new Object();
    /** id -> endpoint, in id order; guarded by {@link #lock}. */
    private Map<String, Endpoint> endpoints = Map.of();
    /** ids an operator drained; guarded by {@link #lock}. */
    private final Set<String> drained = new HashSet<>();
    /** Every id a snapshot has held, resolvable or not; guarded by {@link #lock}. */
    private final Set<String> seen = new HashSet<>();
    /** This replica's zone, the VIP's zoneAffinity and live replicas per zone; guarded by {@link #lock}. */
    private ZoneContext zones;
    private boolean closed;
    private volatile String bindError;

    /**
     * @param replicaZone this replica's zone ("" = none)
     * @param healthLoop  where this VIP's health checks and ejection decisions run (shared with
     *                    other VIPs), of the same transport as {@code group}
     */
    VipRuntime(VipConfig config, String replicaZone, EventLoopGroup group, Transport transport, HalbMetrics metrics,
               EventLoop healthLoop, long seed) {
        this.config = config;
        this.metrics = metrics;
        this.zones = ZoneContext.of(replicaZone, config.zoneAffinity().enabled(), config.zoneAffinity().minBackends());
        this.selector = new VipSelector(config.strategy(), seed, new ZoneRecorder(metrics, config.name()));
        this.health = new HealthMonitor(config.name(), config.healthCheck(), config.outlierDetection(), healthLoop,
                transport.channelClass(), new Recorder(metrics, config.name()), this::healthChanged);
        this.listener = new VipListener(config, group, transport, selector, metrics.forVip(config.name()),
                health.connectObserver());
        config.staticBackends().forEach(b -> staticIds.add(b.id()));
    }

    String name() {
        return config.name();
    }

    VipConfig config() {
        return config;
    }

    VipListener listener() {
        return listener;
    }

    void bindFailed(String error) {
        bindError = error;
    }

    /** A new snapshot of the VIP's service. */
    void onBackends(BackendSet set) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            Map<String, Endpoint> next = new LinkedHashMap<>();
            for (Backend backend : set.backends()) {
                seen.add(backend.id());
                Endpoint previous = endpoints.get(backend.id());
                if (previous != null && previous.backend().equals(backend)) {
                    next.put(backend.id(), previous);
                    continue;
                }
                InetSocketAddress address = new InetSocketAddress(backend.address(), backend.port());
                if (address.isUnresolved()) {
                    log.warn("VIP {}: backend {} left out: cannot resolve '{}'", name(), backend.id(), backend.address());
                    continue;
                }
                next.put(backend.id(), previous == null
                        ? new Endpoint(backend, address)
                        : previous.withBackend(backend, address));
            }
            updateHealthGauges(endpoints, next);
            endpoints = next;
            drained.retainAll(next.keySet());
            health.update(next.values());
            publish();
        }
    }

    /**
     * {@code halb_backend_healthy} for each backend: registered when it appears, removed when it
     * goes, re-registered when its zone (a label) changes. Holds {@link #lock}.
     */
    private void updateHealthGauges(Map<String, Endpoint> before, Map<String, Endpoint> after) {
        for (Endpoint old : before.values()) {
            Endpoint now = after.get(old.id());
            if (now == null || !now.zone().equals(old.zone())) {
                metrics.removeBackendHealth(name(), old.backend());
            }
        }
        for (Endpoint now : after.values()) {
            Endpoint old = before.get(now.id());
            if (old == null || !now.zone().equals(old.zone())) {
                String id = now.id();
                metrics.registerBackendHealth(name(), now.backend(), () -> health.status(id) == HealthStatus.HEALTHY);
            }
        }
    }

    /**
     * Live replicas per zone changed (the replica registry): the zone split follows. Never called
     * without a registry, so static-only replicas keep equal zone shares.
     */
    void onReplicas(Map<String, Integer> replicasPerZone) {
        synchronized (lock) {
            if (!closed && !zones.replicasPerZone().equals(replicasPerZone)) {
                zones = zones.withReplicas(replicasPerZone);
                publish();
            }
        }
    }

    /** The health monitor saw candidates change. Runs on the health event loop. */
    private void healthChanged() {
        synchronized (lock) {
            if (!closed) {
                publish();
            }
        }
    }

    /** Operator drain or undrain; {@code false} when the backend is unknown. */
    boolean setDrained(String backendId, boolean drain) {
        synchronized (lock) {
            if (!endpoints.containsKey(backendId)) {
                return false;
            }
            if (drain ? drained.add(backendId) : drained.remove(backendId)) {
                log.info("VIP {}: backend {} {}", name(), backendId, drain ? "drained" : "undrained");
                publish();
            }
            return true;
        }
    }

    /** Recomputes the candidates and publishes a new picker. Holds {@link #lock}. */
    private void publish() {
        List<Endpoint> candidates = new ArrayList<>(endpoints.size());
        for (Endpoint e : endpoints.values()) {
            if (isCandidate(e)) {
                candidates.add(e);
            }
        }
        selector.update(candidates, zones);
    }

    private boolean isCandidate(Endpoint e) {
        return e.backend().enabled() && !drained.contains(e.id()) && health.isCandidate(e.id());
    }

    /** Precedence: drained, then ejected, then unhealthy, else healthy. */
    private String state(Endpoint e) {
        if (!e.backend().enabled() || drained.contains(e.id())) {
            return "drained";
        }
        return health.status(e.id()).label();
    }

    /**
     * Whether the static backends have arrived from the catalog and every backend has had its
     * first health check (at once with type none).
     */
    boolean firstChecksDone() {
        synchronized (lock) {
            if (!seen.containsAll(staticIds)) {
                return false;
            }
            for (String id : endpoints.keySet()) {
                if (!health.checked(id)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Waits, a bounded time, until every VIP's backends have had their first health check, so
     * that a starting replica does not turn its first clients away for want of a result (a new
     * backend is no candidate until its first check passes).
     */
    static void awaitFirstChecks(Collection<VipRuntime> vips) throws InterruptedException {
        long budgetMs = 0;
        for (VipRuntime vip : vips) {
            budgetMs = Math.max(budgetMs, vip.health.firstCheckBudgetMs());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs + FIRST_CHECK_MARGIN_MS);
        for (VipRuntime vip : vips) {
            while (!vip.firstChecksDone()) {
                if (System.nanoTime() - deadline >= 0) {
                    log.warn("VIP {}: not every backend has had its first health check after {} ms; starting anyway",
                            vip.name(), budgetMs + FIRST_CHECK_MARGIN_MS);
                    break;
                }
                Thread.sleep(5);
            }
        }
    }

    /** Stops health checking and forgets this VIP's health gauges. The listener is the replica's to close. */
    void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (Endpoint e : endpoints.values()) {
                metrics.removeBackendHealth(name(), e.backend());
            }
        }
        health.close();
    }

    VipView view() {
        List<BackendView> backends = new ArrayList<>();
        synchronized (lock) {
            for (Endpoint e : endpoints.values()) {
                Backend b = e.backend();
                backends.add(new BackendView(b.id(), b.address(), b.port(), b.zone(), b.locality().region(),
                        b.locality().rack(), b.weight(), b.source().label(), state(e), e.activeConnections()));
            }
        }
        InetSocketAddress bound = listener.localAddress();
        return new VipView(config.name(), config.bind().toString(),
                bound == null ? null : bound.getAddress().getHostAddress() + ":" + bound.getPort(),
                listener.isBound(), bindError, config.service(), config.strategy().label(),
                listener.activeConnections(), config.maxConnections(), zoneRouting(), backends);
    }

    private VipView.ZoneRoutingView zoneRouting() {
        ZoneRouting r = selector.zoneRouting();
        return new VipView.ZoneRoutingView(r.mode().label(), r.active(), r.mode().reason(), r.localZone(),
                selector.zoneSplit());
    }

    /** Zone routing fallbacks into the log and {@code halb_zone_routing_changes_total{vip,mode}}. */
    private static final class ZoneRecorder implements ZoneRoutingRecorder {
        private final HalbMetrics metrics;
        private final String vip;

        ZoneRecorder(HalbMetrics metrics, String vip) {
            this.metrics = metrics;
            this.vip = vip;
        }

        @Override
        public void modeChanged(ZoneRouting.Mode previous, ZoneRouting.Mode current) {
            log.info("VIP {}: zone routing {} ({})", vip, current.label(), current.reason());
            metrics.zoneRoutingChanged(vip, current.label());
        }

        @Override
        public void spilledOver(String zone) {
            // halb_zone_connections_total{vip,zone} already counts where connections went.
        }
    }

    /** Ejections into {@code halb_ejections_total}; refusals by the cap into {@code halb_ejections_capped_total}. */
    private static final class Recorder implements HealthRecorder {
        private final HalbMetrics metrics;
        private final String vip;
        private final Meter capped;

        Recorder(HalbMetrics metrics, String vip) {
            this.metrics = metrics;
            this.vip = vip;
            // VIP names are [a-z0-9-]+, so this is the name HalbMetrics would encode for the label.
            this.capped = metrics.ejectionsCapped(vip);
        }

        @Override
        public void ejected(Backend backend) {
            metrics.ejected(vip, backend);
        }

        @Override
        public void ejectionCapped(Backend backend) {
            capped.mark();
        }
    }
}
