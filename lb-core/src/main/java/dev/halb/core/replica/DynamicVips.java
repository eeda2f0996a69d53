package dev.halb.core.replica;

import dev.halb.core.admin.VipView;
import dev.halb.core.config.ConfigException;
import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.VipConfig;
import dev.halb.core.metrics.HalbMetrics;
import dev.halb.discovery.Catalog;
import dev.halb.discovery.zookeeper.ReplicaInfo;
import dev.halb.discovery.zookeeper.VipNodeSource;
import java.lang.reflect.RecordComponent;
import java.net.BindException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Dynamic VIPs: the persistent nodes <root>/vips/<name>, applied to a
 * running replica without a restart.
 *
 * The VipNodeSource hands over the whole map (name -> JSON) on a Curator thread; the work is done
 * here on one thread of our own, one change at a time, always against the latest map (a burst of
 * changes is applied once). Per VIP, the node's JSON is compared with what was applied:
 *
 *   - unchanged JSON: nothing;
 *   - new: parsed like a YAML VIP (ConfigLoader.parseVip), given a runtime, its backends' first
 *     health checks awaited, then bound; the VIP serves from the first connection on;
 *   - changed settings, same bind: a successor runtime (new selector, health checks, static
 *     backends) takes over the bound listener; new connections get the new settings, open ones
 *     keep theirs;
 *   - changed bind: the successor binds a listener of its own on the new address first; only once
 *     that worked does the old listener stop accepting, its connections draining in the background
 *     for up to drain.timeoutMs before the rest are closed. If the new address cannot be bound, the
 *     old listener keeps serving and the error is reported;
 *   - deleted: the listener stops accepting at once, its connections drain as above, then the
 *     VIP's metrics are removed.
 *
 * Nothing here is ever fatal. A node that does not parse is logged once, counted in
 * halb_discovery_rejected_total and shown in /api/v1/vips with its error (a VIP already serving
 * keeps its previous version: an operator's typo does not take traffic down). A VIP that cannot
 * bind is shown unbound with the error and retried every RETRY_MS. A node named like a VIP of the
 * YAML file is ignored (the file wins), logged once. Losing ZooKeeper publishes no map, so VIPs are
 * never unbound because ZooKeeper is away.
 */
final class DynamicVips implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DynamicVips.class);

    /** How often a VIP that could not bind (or move) is tried again. */
    static final long RETRY_MS = 3_000;
    private static final long DRAIN_POLL_MS = 50;
    private static final long CLOSE_WAIT_MS = 15_000;
    static final String SOURCE = "zookeeper";

    private final VipContext context;
    private final Catalog catalog;
    private final ConfigLoader loader;
    private final Set<String> staticNames;
    private final String vipsPath;
    private final long drainTimeoutMs;
    private final HalbMetrics metrics;
    private final Runnable bindsChanged;
    private final ScheduledExecutorService executor;
    /** Every dynamic VIP, valid or not; written on the executor, read anywhere. */
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Runtimes that stopped accepting and wait for their connections: deleted or moved VIPs. */
    private final Set<VipRuntime> draining = ConcurrentHashMap.newKeySet();
    /** Names already logged as shadowed by a YAML VIP; executor only. */
    private final Set<String> conflictsLogged = new HashSet<>();
    private volatile Map<String, String> latestNodes;
    private volatile boolean stopped;
    private AutoCloseable subscription;

    /** One dynamic VIP. Fields written on the executor. */
    private static final class Entry {
        final String name;
        /** The node's JSON last applied (or found invalid). */
        String json;
        /** The node parsed; {@code null} while it is invalid. */
        volatile VipConfig desired;
        /** The runtime serving it (bound), or {@code null}. */
        volatile VipRuntime runtime;
        volatile String nodeError;
        volatile String bindError;
        String loggedBindError;

        Entry(String name) {
            this.name = name;
        }

        String error() {
            String n = nodeError;
            return n != null ? n : bindError;
        }
    }

    /**
     * @param staticNames  the YAML file's VIPs, which win over nodes of the same name
     * @param vipsPath     {@code <root>/vips}, for messages
     * @param bindsChanged called (on the executor) when the set of bound VIPs or their addresses changed
     */
    DynamicVips(VipContext context, Catalog catalog, ConfigLoader loader, Set<String> staticNames, String vipsPath,
                long drainTimeoutMs, Runnable bindsChanged) {
        this.context = context;
        this.catalog = catalog;
        this.loader = loader;
        this.staticNames = Set.copyOf(staticNames);
        this.vipsPath = vipsPath;
        this.drainTimeoutMs = drainTimeoutMs;
        this.metrics = context.metrics();
        this.bindsChanged = bindsChanged;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "halb-dynamic-vips");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Follows {@code nodes}. Waits up to {@code waitMs} for what ZooKeeper holds now to be applied,
     * so that a replica that starts connected serves its dynamic VIPs when it says it is up.
     */
    void start(VipNodeSource nodes, long waitMs) throws InterruptedException {
        subscription = nodes.subscribe(map -> {
            latestNodes = map;
            submit(this::applyLatest);
        });
        executor.scheduleWithFixedDelay(this::retryFailed, RETRY_MS, RETRY_MS, TimeUnit.MILLISECONDS);
        // Runs after the first map's application when the map was read already.
        await(submit(() -> { }), waitMs);
    }

    private Future<?> submit(Runnable task) {
        try {
            return executor.submit(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("applying dynamic VIPs failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            return null; // closed
        }
    }

    private static void await(Future<?> f, long waitMs) throws InterruptedException {
        if (f == null) {
            return;
        }
        try {
            f.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("dynamic VIPs not settled within {} ms", waitMs);
        }
    }

    // ---- on the executor ----

    private void applyLatest() {
        Map<String, String> nodes = latestNodes;
        if (stopped || nodes == null) {
            return;
        }
        boolean changed = false;
        for (String name : List.copyOf(entries.keySet())) {
            if (!nodes.containsKey(name)) {
                remove(name);
                changed = true;
            }
        }
        for (Map.Entry<String, String> node : nodes.entrySet()) {
            String name = node.getKey();
            String json = node.getValue();
            if (staticNames.contains(name)) {
                if (conflictsLogged.add(name)) {
                    log.warn("ZooKeeper node {}/{} ignored: VIP {} is configured in the YAML file, which wins",
                            vipsPath, name, name);
                }
                continue;
            }
            Entry e = entries.computeIfAbsent(name, Entry::new);
            if (json.equals(e.json)) {
                continue;
            }
            e.json = json;
            parse(e);
            reconcile(e);
            changed = true;
        }
        conflictsLogged.retainAll(nodes.keySet());
        if (changed) {
            bindsChanged.run();
        }
    }

    private void parse(Entry e) {
        try {
            e.desired = loader.parseVip(e.json, "vips." + e.name, e.name);
            e.nodeError = null;
        } catch (ConfigException | RuntimeException ex) {
            e.desired = null;
            e.nodeError = "ZooKeeper node " + vipsPath + "/" + e.name + " is invalid: " + ex.getMessage()
                    + (e.runtime != null ? "; still serving its previous version" : "");
            log.warn("dynamic VIP {}: {}", e.name, e.nodeError);
            metrics.discoveryRejected();
        }
    }

    /** Brings the VIP's runtime in line with its node. */
    private void reconcile(Entry e) {
        VipConfig want = e.desired;
        VipRuntime current = e.runtime;
        if (stopped || want == null) {
            return;
        }
        if (current != null && current.config().equals(want)) {
            clearBindError(e);
            return;
        }
        try {
            if (current == null) {
                startNew(e, want);
            } else if (current.config().bind().equals(want.bind())) {
                reconfigure(e, current, want);
            } else {
                move(e, current, want);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException ex) {
            log.warn("dynamic VIP {}: cannot apply its node", e.name, ex);
            bindFailed(e, "cannot apply: " + ex);
        }
    }

    private VipRuntime newRuntime(VipConfig want, VipRuntime predecessor, boolean sameListener)
            throws InterruptedException {
        VipRuntime rt = new VipRuntime(want, context, predecessor, sameListener);
        rt.start(catalog);
        VipRuntime.awaitFirstChecks(List.of(rt));
        return rt;
    }

    private void startNew(Entry e, VipConfig want) throws InterruptedException {
        VipRuntime rt = newRuntime(want, null, false);
        try {
            rt.listener().bind();
        } catch (BindException ex) {
            rt.close();
            bindFailed(e, ex.getMessage());
            return;
        }
        serve(e, rt);
        log.info("dynamic VIP {} listening on {} (service {}, strategy {})", e.name, rt.listener().localAddress(),
                want.service(), want.strategy().label());
    }

    private void reconfigure(Entry e, VipRuntime current, VipConfig want) throws InterruptedException {
        VipRuntime rt = newRuntime(want, current, true);
        rt.takeOver();
        current.close();
        serve(e, rt);
        log.info("dynamic VIP {} changed ({}): new connections get the new settings", e.name,
                changedKeys(current.config(), want));
    }

    private void move(Entry e, VipRuntime current, VipConfig want) throws InterruptedException {
        VipRuntime rt = newRuntime(want, current, false);
        try {
            rt.listener().bind();
        } catch (BindException ex) {
            rt.close();
            bindFailed(e, ex.getMessage() + "; still serving on " + current.config().bind());
            return;
        }
        serve(e, rt);
        retire(current, null);
        log.info("dynamic VIP {} moved from {} to {}; connections on the old address drain for up to {} ms",
                e.name, current.config().bind(), rt.listener().localAddress(), drainTimeoutMs);
    }

    private void serve(Entry e, VipRuntime rt) {
        rt.activate();
        e.runtime = rt;
        // A registry change may have come while the runtime was being made.
        rt.onReplicas(context.replicasPerZone().get());
        clearBindError(e);
    }

    private void clearBindError(Entry e) {
        e.bindError = null;
        e.loggedBindError = null;
    }

    private void bindFailed(Entry e, String message) {
        e.bindError = message;
        if (!message.equals(e.loggedBindError)) {
            e.loggedBindError = message;
            log.warn("dynamic VIP {}: {} (trying again every {} s)", e.name, message, RETRY_MS / 1000);
        }
    }

    private void remove(String name) {
        Entry e = entries.remove(name);
        if (e == null) {
            return;
        }
        VipRuntime rt = e.runtime;
        if (rt != null) {
            retire(rt, name);
            log.info("dynamic VIP {} deleted: not accepting any more; its connections drain for up to {} ms", name,
                    drainTimeoutMs);
        } else {
            log.info("dynamic VIP {} deleted", name);
        }
    }

    /**
     * Stops {@code rt} accepting, then waits in the background for its connections (at most
     * {@code drain.timeoutMs}) and closes what is left. With {@code removedName}, the VIP was
     * deleted: its metrics go too, unless a VIP of that name exists again by then.
     */
    private void retire(VipRuntime rt, String removedName) {
        rt.listener().stopAccepting();
        rt.close();
        draining.add(rt);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainTimeoutMs);
        executor.schedule(() -> awaitDrained(rt, deadline, removedName), DRAIN_POLL_MS, TimeUnit.MILLISECONDS);
    }

    private void awaitDrained(VipRuntime rt, long deadline, String removedName) {
        int open = rt.listener().activeConnections();
        if (open > 0 && System.nanoTime() - deadline < 0 && !stopped) {
            executor.schedule(() -> awaitDrained(rt, deadline, removedName), DRAIN_POLL_MS, TimeUnit.MILLISECONDS);
            return;
        }
        if (open > 0) {
            log.info("VIP {} on {}: closing {} connections still open", rt.name(), rt.config().bind(), open);
            rt.listener().closeConnections().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        draining.remove(rt);
        if (removedName != null && !entries.containsKey(removedName)) {
            metrics.removeVip(removedName);
        }
    }

    private void retryFailed() {
        if (stopped) {
            return;
        }
        boolean changed = false;
        for (Entry e : entries.values()) {
            if (e.bindError != null && e.desired != null) {
                reconcile(e);
                changed |= e.bindError == null;
            }
        }
        if (changed) {
            bindsChanged.run();
        }
    }

    /** The record components that differ, for the log. */
    static String changedKeys(VipConfig before, VipConfig after) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent c : VipConfig.class.getRecordComponents()) {
            try {
                if (!Objects.equals(c.getAccessor().invoke(before), c.getAccessor().invoke(after))) {
                    keys.add(c.getName());
                }
            } catch (ReflectiveOperationException e) {
                keys.add(c.getName());
            }
        }
        return String.join(", ", keys);
    }

    // ---- read anywhere ----

    /** Dynamic VIPs by name, with their state and errors. */
    List<VipView> views() {
        List<VipView> views = new ArrayList<>();
        for (Entry e : new TreeMap<>(entries).values()) {
            VipRuntime rt = e.runtime;
            if (rt != null) {
                views.add(rt.view(SOURCE, e.error()));
            } else {
                VipConfig d = e.desired;
                views.add(new VipView(e.name, d == null ? null : d.bind().toString(), null, false, e.error(), SOURCE,
                        d == null ? null : d.service(), d == null ? null : d.strategy().label(), 0,
                        d == null ? 0 : d.maxConnections(), null, null, List.of()));
            }
        }
        return views;
    }

    /** The runtimes serving now. */
    List<VipRuntime> runtimes() {
        List<VipRuntime> list = new ArrayList<>();
        for (Entry e : entries.values()) {
            VipRuntime rt = e.runtime;
            if (rt != null) {
                list.add(rt);
            }
        }
        return list;
    }

    /** The serving runtime of {@code name}, or {@code null}. */
    VipRuntime runtime(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.runtime;
    }

    /** Bound dynamic VIPs for the replica's node, sorted by name. */
    List<ReplicaInfo.VipBind> binds() {
        List<ReplicaInfo.VipBind> binds = new ArrayList<>();
        for (Entry e : new TreeMap<>(entries).values()) {
            VipRuntime rt = e.runtime;
            if (rt != null) {
                binds.add(new ReplicaInfo.VipBind(e.name, Replica.boundBind(rt)));
            }
        }
        return binds;
    }

    /** Open client connections of dynamic VIPs, draining ones included. */
    int openConnections() {
        int n = 0;
        for (VipRuntime rt : runtimes()) {
            n += rt.listener().activeConnections();
        }
        for (VipRuntime rt : draining) {
            n += rt.listener().activeConnections();
        }
        return n;
    }

    /** The replica drains: no more changes, no VIP accepts any more. Waits for it. */
    void stopAccepting() throws InterruptedException {
        stopped = true;
        await(submit(() -> {
            for (VipRuntime rt : runtimes()) {
                rt.listener().stopAccepting();
            }
        }), CLOSE_WAIT_MS);
    }

    /** Closes every dynamic VIP's connections and runtime. Idempotent. */
    @Override
    public void close() {
        stopped = true;
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                log.debug("unsubscribe failed", e);
            }
        }
        Future<?> done = submit(() -> {
            List<VipRuntime> all = new ArrayList<>(runtimes());
            all.addAll(draining);
            for (VipRuntime rt : all) {
                rt.listener().stopAccepting();
                rt.listener().closeConnections().awaitUninterruptibly(5, TimeUnit.SECONDS);
                rt.close();
            }
            entries.clear();
            draining.clear();
        });
        try {
            await(done, CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
