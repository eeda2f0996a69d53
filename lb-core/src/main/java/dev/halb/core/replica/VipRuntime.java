package dev.halb.core.replica;

import com.codahale.metrics.Gauge;
import dev.halb.core.metrics.Total;
import dev.halb.core.admin.BackendView;
import dev.halb.core.admin.VipView;
import dev.halb.core.balance.Endpoint;
import dev.halb.core.balance.RegionContext;
import dev.halb.core.balance.VipSelector;
import dev.halb.core.balance.ZoneContext;
import dev.halb.core.balance.ZoneRouting;
import dev.halb.core.balance.ZoneRoutingRecorder;
import dev.halb.core.config.VipConfig;
import dev.halb.core.health.HealthMonitor;
import dev.halb.core.health.HealthRecorder;
import dev.halb.core.health.HealthStatus;
import dev.halb.core.membership.Membership;
import dev.halb.core.metrics.HalbMetrics;
import dev.halb.core.proxy.VipListener;
import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSet;
import dev.halb.discovery.Catalog;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VIP's slice of the replica: its endpoints (backends with live connection counts), their
 * health, which of them are candidates, the selector over the candidates, and the listener.
 *
 * <p>A candidate is enabled by its source, not drained by an operator, and healthy and not
 * ejected according to the {@link HealthMonitor}. Catalog snapshots, resolved host names, drain
 * requests and health changes (on the health event loop) arrive on other threads and are applied
 * under one lock; each change publishes a new picker. The data path never takes that lock.
 *
 * <p>Endpoints are the catalog's backends of the VIP's service plus the VIP's own static backends
 * (for a YAML VIP those are in the catalog already; a dynamic VIP's are its own). A backend is
 * left out while its host name is not resolved, and a discovered one whose address lies outside
 * {@code allowedBackendCidrs}; both are logged once per backend and counted.
 *
 * <p>The configuration of a runtime never changes. A dynamic VIP whose settings change gets a
 * successor runtime ({@link #VipRuntime(VipConfig, VipContext, VipRuntime, boolean)}) that takes
 * over this one's endpoints (and so their connection counts), operator drains and, when the bind
 * address stays, its listener; this one is then closed.
 */
final class VipRuntime {

    private static final Logger log = LoggerFactory.getLogger(VipRuntime.class);

    /** Besides the health checks' own budget, time for the catalog to hand over the backends. */
    private static final long FIRST_CHECK_MARGIN_MS = 100;

    private final VipConfig config;
    private final VipContext context;
    private final HalbMetrics metrics;
    private final VipSelector selector;
    private final HealthMonitor health;
    private final VipListener listener;
    private final List<Backend> ownStatic;
    private final Object lock = new Object();
    /** id -> endpoint, sorted by id; guarded by {@link #lock}. */
    private Map<String, Endpoint> endpoints = Map.of();
    /** A predecessor's endpoints, reused by id until the first snapshot is applied; guarded by {@link #lock}. */
    private Map<String, Endpoint> inherited;
    /** The latest catalog snapshot, {@code null} before the first; guarded by {@link #lock}. */
    private BackendSet latest;
    /** Backends waiting for their host name's first lookup; guarded by {@link #lock}. */
    private int unresolvedPending;
    /** ids an operator drained; guarded by {@link #lock}. */
    private final Set<String> drained = new HashSet<>();
    /** ids logged as unresolvable or outside the allowed networks, so each is logged once; guarded by {@link #lock}. */
    private final Set<String> loggedUnresolved = new HashSet<>();
    private final Set<String> loggedOutsideCidrs = new HashSet<>();
    /** This VIP's halb_backend_healthy gauges by backend id, once active; guarded by {@link #lock}. */
    private final Map<String, Gauge<Integer>> gauges = new HashMap<>();
    private boolean gaugesActive;
    /** This replica's zone, the VIP's zoneAffinity and live replicas per zone; guarded by {@link #lock}. */
    private ZoneContext zones;
    private boolean closed;
    /** Completed once {@link #firstChecksDone()}: the VIP can serve from its first client on. */
    private final CompletableFuture<Void> firstChecks = new CompletableFuture<>();
    private AutoCloseable catalogSubscription;
    private AutoCloseable resolverSubscription;

    /** A VIP with a listener of its own, not yet bound. */
    VipRuntime(VipConfig config, VipContext context) {
        this(config, context, null, false);
    }

    /**
     * A VIP that follows {@code predecessor} (may be {@code null}): it reuses the predecessor's
     * endpoints by id and its operator drains and, with {@code sameListener}, its listener, which
     * it only starts feeding in {@link #takeOver()}.
     */
    VipRuntime(VipConfig config, VipContext context, VipRuntime predecessor, boolean sameListener) {
        this.config = config;
        this.context = context;
        this.metrics = context.metrics();
        this.ownStatic = config.staticBackends();
        this.zones = ZoneContext.of(context.replicaZone(), config.zoneAffinity().enabled(),
                config.zoneAffinity().minBackends()).withReplicas(context.replicasPerZone().get());
        this.selector = new VipSelector(config.strategy(), context.seed(), new ZoneRecorder(metrics, config.name()),
                new RegionContext(context.replicaRegion(), config.regionFailover().enabled(),
                        config.regionFailover().overprovisioningFactor()), new RegionRecorder(metrics, config.name()));
        this.health = new HealthMonitor(config.name(), config.healthCheck(), config.outlierDetection(),
                context.healthGroup().next(), context.transport().channelClass(), new Recorder(metrics, config.name()),
                this::healthChanged);
        if (predecessor != null) {
            synchronized (predecessor.lock) {
                this.inherited = predecessor.endpoints;
                this.drained.addAll(predecessor.drained);
            }
        }
        this.listener = predecessor != null && sameListener
                ? predecessor.listener
                : new VipListener(config, context.ioGroup(), context.transport(), selector,
                        metrics.forVip(config.name()), health.connectObserver(), context.accessLog());
    }

    /** Starts following the catalog and the name cache. */
    void start(Catalog catalog) {
        resolverSubscription = context.resolver().subscribe(this::namesResolved);
        catalogSubscription = catalog.subscribe(config.service(), this::onBackends);
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

    /**
     * Makes this runtime the one that serves on the listener it took over from its predecessor:
     * new connections get this runtime's settings, selector and connect observer. The caller
     * then closes the predecessor and {@linkplain #activate() activates} this one.
     */
    void takeOver() {
        listener.update(config, selector, health.connectObserver());
    }

    /** Registers this VIP's health gauges from now on (a runtime that never serves registers none). */
    void activate() {
        synchronized (lock) {
            if (closed || gaugesActive) {
                return;
            }
            gaugesActive = true;
            for (Endpoint e : endpoints.values()) {
                registerGauge(e);
            }
        }
    }

    /** A new snapshot of the VIP's service. */
    void onBackends(BackendSet set) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            latest = set;
            rebuild();
            noteFirstChecks();
        }
    }

    /** Some host name's address changed or became known. Runs on a resolver thread. */
    private void namesResolved() {
        synchronized (lock) {
            if (!closed && latest != null) {
                rebuild();
                noteFirstChecks();
            }
        }
    }

    /**
     * Runs the membership steps on the latest snapshot, logs and counts what they left out, and
     * publishes the endpoints when they changed. Holds {@link #lock}.
     */
    private void rebuild() {
        List<Backend> merged = Membership.merge(ownStatic, latest.backends());
        Membership.Resolution resolution = Membership.resolve(merged, context.resolver()::resolve);
        for (Backend b : resolution.unresolvable()) {
            if (loggedUnresolved.add(b.id())) {
                log.warn("VIP {}: backend {} left out: host name '{}' does not resolve (retried every {} s)",
                        name(), b.id(), b.address(), HostResolver.RETRY.toSeconds());
                metrics.resolveFailed(name());
            }
        }
        List<Membership.Resolved> kept = new ArrayList<>(resolution.resolved().size());
        for (Membership.Resolved r : resolution.resolved()) {
            Backend b = r.backend();
            if (loggedUnresolved.remove(b.id())) {
                log.info("VIP {}: backend {}: host name '{}' resolves now", name(), b.id(), b.address());
            }
            if (!Membership.allowed(r, config.allowedBackendCidrs())) {
                if (loggedOutsideCidrs.add(b.id())) {
                    log.warn("VIP {}: backend {} ({}:{}) rejected: {} is outside allowedBackendCidrs {}", name(),
                            b.id(), b.address(), b.port(), r.address().getAddress().getHostAddress(),
                            config.allowedBackendCidrs());
                    metrics.discoveryRejected();
                }
                continue;
            }
            loggedOutsideCidrs.remove(b.id());
            kept.add(r);
        }
        Set<String> ids = new HashSet<>();
        merged.forEach(b -> ids.add(b.id()));
        loggedUnresolved.retainAll(ids);
        loggedOutsideCidrs.retainAll(ids);
        unresolvedPending = resolution.pending();
        context.resolver().use(this, resolution.hostNames());
        Map<String, Endpoint> previous = inherited != null ? inherited : endpoints;
        Map<String, Endpoint> next = Membership.endpoints(kept, previous);
        boolean first = inherited != null || endpoints.isEmpty();
        inherited = null;
        if (!first && Membership.sameEndpoints(endpoints, next)) {
            return;
        }
        logMembership(previous, next);
        updateHealthGauges(endpoints, next);
        endpoints = next;
        drained.retainAll(next.keySet());
        health.update(next.values());
        publish();
    }

    private void logMembership(Map<String, Endpoint> before, Map<String, Endpoint> after) {
        for (Endpoint e : after.values()) {
            if (!before.containsKey(e.id())) {
                Backend b = e.backend();
                log.info("VIP {}: backend {} added ({}, {}:{}, zone {}, weight {})", name(), b.id(), b.origin().label(),
                        b.address(), b.port(), b.zone().isEmpty() ? "(none)" : b.zone(), b.weight());
            }
        }
        for (Endpoint e : before.values()) {
            if (!after.containsKey(e.id())) {
                log.info("VIP {}: backend {} removed ({}:{})", name(), e.id(), e.backend().address(),
                        e.backend().port());
            }
        }
    }

    /**
     * {@code halb_backend_healthy} for each backend: registered when it appears, removed when it
     * goes, re-registered when its zone (a label) changes. Holds {@link #lock}.
     */
    private void updateHealthGauges(Map<String, Endpoint> before, Map<String, Endpoint> after) {
        if (!gaugesActive) {
            return;
        }
        for (Endpoint old : before.values()) {
            Endpoint now = after.get(old.id());
            if (now == null || !now.zone().equals(old.zone())) {
                removeGauge(old);
            }
        }
        for (Endpoint now : after.values()) {
            Endpoint old = before.get(now.id());
            if (old == null || !now.zone().equals(old.zone()) || !gauges.containsKey(now.id())) {
                registerGauge(now);
            }
        }
    }

    private void registerGauge(Endpoint e) {
        String id = e.id();
        gauges.put(id, metrics.registerBackendHealth(name(), e.backend(),
                () -> health.status(id) == HealthStatus.HEALTHY));
    }

    private void removeGauge(Endpoint e) {
        Gauge<Integer> g = gauges.remove(e.id());
        if (g != null) {
            metrics.removeBackendHealth(name(), e.backend(), g);
        }
    }

    /**
     * Live replicas per zone changed (the replica registry): the zone split follows. Never called
     * with an empty map, so static-only replicas keep equal zone shares.
     */
    void onReplicas(Map<String, Integer> replicasPerZone) {
        synchronized (lock) {
            if (!closed && !replicasPerZone.isEmpty() && !zones.replicasPerZone().equals(replicasPerZone)) {
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
                noteFirstChecks();
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
        // Region failover's share of healthy local backends divides by every backend not drained.
        selector.update(Membership.candidates(endpoints.values(), drained, health::isCandidate),
                Membership.candidates(endpoints.values(), drained, id -> true), zones);
    }

    /** Precedence: drained, then ejected, then unhealthy, else healthy. */
    private String state(Endpoint e) {
        if (!e.backend().enabled() || drained.contains(e.id())) {
            return "drained";
        }
        return health.status(e.id()).label();
    }

    /**
     * Whether the first snapshot has arrived, every host name in it has had its first lookup, and
     * every backend has had its first health check (at once with type none). Holds {@link #lock}.
     */
    private boolean firstChecksDone() {
        if (latest == null || unresolvedPending > 0) {
            return false;
        }
        for (String id : endpoints.keySet()) {
            if (!health.checked(id)) {
                return false;
            }
        }
        return true;
    }

    /** Completes {@link #firstChecks} once they are done. Holds {@link #lock}. */
    private void noteFirstChecks() {
        if (!firstChecks.isDone() && firstChecksDone()) {
            firstChecks.complete(null);
        }
    }

    /**
     * Waits, a bounded time, until every VIP's backends have had their first health check, so
     * that a starting VIP does not turn its first clients away for want of a result (a new
     * backend is no candidate until its first check passes). VIPs started together are waited
     * for together: the budget is that of the slowest, not the sum.
     */
    static void awaitFirstChecks(Collection<VipRuntime> vips) throws InterruptedException {
        long budgetMs = 0;
        for (VipRuntime vip : vips) {
            budgetMs = Math.max(budgetMs, vip.health.firstCheckBudgetMs());
        }
        long waitMs = budgetMs + FIRST_CHECK_MARGIN_MS;
        CompletableFuture<?>[] all = vips.stream().map(v -> v.firstChecks).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(waitMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            for (VipRuntime vip : vips) {
                if (!vip.firstChecks.isDone()) {
                    log.warn("VIP {}: not every backend has had its first health check after {} ms; starting anyway",
                            vip.name(), waitMs);
                }
            }
        } catch (ExecutionException e) {
            // never completed exceptionally
        }
    }

    /**
     * Stops following the catalog, stops health checking and forgets this VIP's health gauges
     * (unless a successor replaced them). The listener is the caller's to close. Idempotent.
     */
    void close() {
        closeQuietly(catalogSubscription);
        closeQuietly(resolverSubscription);
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (Endpoint e : endpoints.values()) {
                removeGauge(e);
            }
        }
        context.resolver().release(this);
        health.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("unsubscribe failed", e);
            }
        }
    }

    /** {@code GET /api/v1/vips}. */
    VipView view(String source, String error) {
        List<BackendView> backends = new ArrayList<>();
        synchronized (lock) {
            for (Endpoint e : endpoints.values()) {
                Backend b = e.backend();
                backends.add(new BackendView(b.id(), b.address(), b.port(), b.zone(), b.locality().region(),
                        b.locality().rack(), b.weight(), b.origin().label(), state(e), e.activeConnections()));
            }
        }
        InetSocketAddress bound = listener.localAddress();
        return new VipView(config.name(), config.bind().toString(),
                bound == null ? null : bound.getAddress().getHostAddress() + ":" + bound.getPort(),
                listener.isBound(), error, source, config.service(), config.strategy().label(),
                listener.activeConnections(), config.maxConnections(), zoneRouting(),
                VipView.RegionRoutingView.of(selector.regionRouting()), backends);
    }

    private VipView.ZoneRoutingView zoneRouting() {
        ZoneRouting r = selector.zoneRouting();
        return new VipView.ZoneRoutingView(r.mode().label(), r.active(), r.mode().reason(), r.localZone(),
                selector.zoneSplit());
    }

    @Override
    public String toString() {
        return "VipRuntime[" + config.name() + " " + config.bind() + "]";
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
        private final Total capped;

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
