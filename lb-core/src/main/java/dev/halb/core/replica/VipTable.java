package dev.halb.core.replica;

import dev.halb.core.accesslog.ConnectionEnd;
import dev.halb.core.admin.VipView;
import dev.halb.core.config.BindAddress;
import dev.halb.core.config.ConfigException;
import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.VipConfig;
import dev.halb.core.metrics.HalbMetrics;
import dev.halb.discovery.Catalog;
import dev.halb.discovery.zookeeper.ReplicaInfo;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The VIP table: every VIP this replica serves, whatever it came from.
 *
 * Two sources say which VIPs are wanted: the configuration file (at start and on each reload) and
 * the ZooKeeper nodes <root>/vips/<name> (whenever they change). The wanted table is the file's
 * VIPs plus the nodes' VIPs whose names the file does not use (the file wins a clash, logged once).
 * One reconciler, on one thread of its own, brings the running VIPs in line with the wanted table
 * after every change of either source, always against the latest of both, the same way whatever a
 * VIP came from:
 *
 *   - unchanged settings: nothing (a VIP that only changed source keeps running as it is);
 *   - new: a runtime is made, its backends' first health checks awaited, then it binds; it serves
 *     from its first client on;
 *   - changed settings, same bind: a successor runtime (new selector, health checks, static
 *     backends) takes over the bound listener; new connections get the new settings, open ones keep
 *     theirs;
 *   - changed bind: the successor binds a listener of its own on the new address first; only once
 *     that worked does the old listener stop accepting, its connections draining in the background
 *     for up to drain.timeoutMs before the rest are closed. If the new address cannot be bound, the
 *     old listener keeps serving and the error is reported;
 *   - gone: the listener stops accepting at once, its connections drain as above, then the VIP's
 *     metrics are removed.
 *
 * Runtimes that a pass makes wait for their first health checks together, so a pass that adds ten
 * VIPs waits as long as the slowest, not the sum. Nothing here is fatal once the replica serves: a
 * node that does not parse is logged, counted in halb_discovery_rejected_total and shown with its
 * error (a VIP already serving keeps its previous version); a VIP that cannot bind is shown
 * unbound with the error and retried every RETRY_MS. At start, the caller turns a file VIP that
 * cannot bind into a start-up failure.
 */
final class VipTable implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VipTable.class);

    /** Where a VIP is configured; its label is the {@code source} of {@code /api/v1/vips}. */
    enum Origin {
        CONFIG("config"),
        ZOOKEEPER("zookeeper");

        private final String label;

        Origin(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** What one pass of the reconciler did, for the log and the reload status. */
    record Changes(List<String> added, List<String> changed, List<String> moved, List<String> removed,
                   Map<String, String> bindErrors) {

        Changes {
            added = List.copyOf(added);
            changed = List.copyOf(changed);
            moved = List.copyOf(moved);
            removed = List.copyOf(removed);
            bindErrors = Map.copyOf(bindErrors);
        }

        static Changes none() {
            return new Changes(List.of(), List.of(), List.of(), List.of(), Map.of());
        }

        boolean any() {
            return !added.isEmpty() || !changed.isEmpty() || !moved.isEmpty() || !removed.isEmpty();
        }

        /** {@code added [a], moved [b]}, or {@code no VIP changed}. */
        String summary() {
            List<String> parts = new ArrayList<>();
            if (!added.isEmpty()) {
                parts.add("added " + added);
            }
            if (!changed.isEmpty()) {
                parts.add("changed " + changed);
            }
            if (!moved.isEmpty()) {
                parts.add("moved " + moved);
            }
            if (!removed.isEmpty()) {
                parts.add("removed " + removed);
            }
            return parts.isEmpty() ? "no VIP changed" : String.join(", ", parts);
        }
    }

    /** How often a VIP that could not bind (or move) is tried again. */
    static final long RETRY_MS = 3_000;
    private static final long DRAIN_POLL_MS = 50;
    private static final long CLOSE_WAIT_MS = 15_000;

    private final VipContext context;
    private final Catalog catalog;
    private final ConfigLoader loader;
    private final String vipsPath;
    private final LongSupplier drainTimeoutMs;
    private final HalbMetrics metrics;
    private final Runnable bindsChanged;
    private final ScheduledExecutorService executor;
    /** Every VIP wanted by a source, valid or not; written on the executor, read anywhere. */
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Runtimes that stopped accepting and wait for their connections: removed or moved VIPs. */
    private final Set<VipRuntime> draining = ConcurrentHashMap.newKeySet();
    /** Node names already logged as shadowed by a file VIP; executor only. */
    private final Set<String> conflictsLogged = new HashSet<>();
    /** The file's VIPs, in file order. */
    private volatile List<VipConfig> fileVips = List.of();
    /** ZooKeeper's VIP nodes, name to JSON. */
    private volatile Map<String, String> nodes = Map.of();
    private volatile boolean stopped;

    /** One wanted VIP. Fields written on the executor. */
    private static final class Entry {
        final String name;
        volatile Origin origin;
        /** A node's JSON last parsed (or found invalid); {@code null} for a file VIP. */
        String json;
        /** The settings wanted; {@code null} while a node is invalid. */
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

    /** A runtime made by a pass, to be put in service once its first checks are awaited. */
    private record Step(Entry entry, VipRuntime current, VipRuntime next) {
    }

    /**
     * @param vipsPath     {@code <root>/vips}, for messages about nodes
     * @param bindsChanged called (on the executor) when the set of bound VIPs or their addresses changed
     */
    VipTable(VipContext context, Catalog catalog, ConfigLoader loader, String vipsPath, LongSupplier drainTimeoutMs,
             Runnable bindsChanged) {
        this.context = Objects.requireNonNull(context, "context");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.vipsPath = vipsPath;
        this.drainTimeoutMs = drainTimeoutMs;
        this.metrics = context.metrics();
        this.bindsChanged = bindsChanged;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "halb-vips");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::retryFailed, RETRY_MS, RETRY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Makes the file's VIPs the wanted ones and applies the difference; waits for it.
     *
     * @return what changed, with the bind errors of the file's VIPs
     */
    Changes applyFile(List<VipConfig> vips) throws InterruptedException {
        List<VipConfig> copy = List.copyOf(vips);
        Changes c = call(() -> {
            fileVips = copy;
            return reconcile();
        });
        return c == null ? Changes.none() : c;
    }

    /** ZooKeeper's VIP nodes changed (any thread): applied soon, against the latest of both sources. */
    void nodesChanged(Map<String, String> latest) {
        nodes = Map.copyOf(latest);
        submit(() -> reconcile());
    }

    /** Waits up to {@code waitMs} for what was handed in so far to be applied. */
    void awaitSettled(long waitMs) throws InterruptedException {
        if (!await(submit(() -> null), waitMs)) {
            log.debug("VIPs not settled within {} ms", waitMs);
        }
    }

    private <T> Future<T> submit(Callable<T> task) {
        try {
            return executor.submit(() -> {
                try {
                    return task.call();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                } catch (Exception e) {
                    log.warn("applying VIPs failed", e);
                    return null;
                }
            });
        } catch (RejectedExecutionException e) {
            return null; // closed
        }
    }

    private <T> T call(Callable<T> task) throws InterruptedException {
        Future<T> f = submit(task);
        if (f == null) {
            return null;
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            return null; // logged by submit
        }
    }

    /**
     * Waits up to {@code waitMs} for {@code f} (a task of {@link #submit}, {@code null} when the
     * table is closed); {@code false} when it did not finish in time.
     */
    private static boolean await(Future<?> f, long waitMs) throws InterruptedException {
        if (f == null) {
            return true;
        }
        try {
            f.get(waitMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return true; // logged by submit
        } catch (TimeoutException e) {
            return false;
        }
    }

    // ---- on the executor ----

    /** One pass: brings the running VIPs in line with both sources. */
    private Changes reconcile() throws InterruptedException {
        if (stopped) {
            return Changes.none();
        }
        Map<String, Origin> wanted = wanted();
        List<String> removed = new ArrayList<>();
        for (String name : List.copyOf(entries.keySet())) {
            if (!wanted.containsKey(name)) {
                remove(name);
                removed.add(name);
            }
        }
        Map<String, VipConfig> byFile = new LinkedHashMap<>();
        fileVips.forEach(v -> byFile.put(v.name(), v));
        Map<String, String> nodes = this.nodes;
        boolean changed = !removed.isEmpty();
        List<Step> steps = new ArrayList<>();
        for (Map.Entry<String, Origin> w : wanted.entrySet()) {
            Entry e = entries.computeIfAbsent(w.getKey(), Entry::new);
            Origin before = e.origin;
            e.origin = w.getValue();
            if (e.origin == Origin.CONFIG) {
                e.json = null;
                e.nodeError = null;
                e.desired = byFile.get(e.name);
            } else {
                String json = nodes.get(e.name);
                if (before != Origin.ZOOKEEPER || !json.equals(e.json)) {
                    e.json = json;
                    parse(e);
                }
            }
            changed |= before != e.origin;
            Step step = prepare(e);
            if (step != null) {
                steps.add(step);
            }
        }
        VipRuntime.awaitFirstChecks(steps.stream().map(Step::next).toList());
        List<String> added = new ArrayList<>();
        List<String> reconfigured = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        for (Step s : steps) {
            if (apply(s)) {
                changed = true;
                (s.current() == null ? added : sameBind(s) ? reconfigured : moved).add(s.entry().name);
            }
        }
        Map<String, String> bindErrors = new TreeMap<>();
        for (Entry e : entries.values()) {
            if (e.origin == Origin.CONFIG && e.bindError != null) {
                bindErrors.put(e.name, e.bindError);
            }
        }
        if (changed) {
            bindsChanged.run();
        }
        return new Changes(added, reconfigured, moved, removed, bindErrors);
    }

    /** Names wanted now and where each comes from: the file's, then the nodes' it does not shadow. */
    private Map<String, Origin> wanted() {
        Map<String, Origin> wanted = new LinkedHashMap<>();
        for (VipConfig v : fileVips) {
            wanted.put(v.name(), Origin.CONFIG);
        }
        Set<String> shadowed = new HashSet<>();
        for (String name : new TreeMap<>(nodes).keySet()) {
            if (wanted.containsKey(name)) {
                shadowed.add(name);
                if (conflictsLogged.add(name)) {
                    log.warn("ZooKeeper node {}/{} ignored: VIP {} is configured in the file, which wins",
                            vipsPath, name, name);
                }
                continue;
            }
            wanted.put(name, Origin.ZOOKEEPER);
        }
        // A clash that ends (node deleted, or the VIP left the file) is logged again if it comes back.
        conflictsLogged.retainAll(shadowed);
        return wanted;
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

    /** A successor runtime when the entry's settings differ from what serves; {@code null} otherwise. */
    private Step prepare(Entry e) {
        VipConfig want = e.desired;
        VipRuntime current = e.runtime;
        if (want == null) {
            return null;
        }
        if (current != null && current.config().equals(want)) {
            clearBindError(e);
            return null;
        }
        boolean sameListener = current != null && current.config().bind().equals(want.bind());
        VipRuntime next = new VipRuntime(want, context, current, sameListener);
        next.start(catalog);
        return new Step(e, current, next);
    }

    private static boolean sameBind(Step s) {
        return s.current() != null && s.current().config().bind().equals(s.next().config().bind());
    }

    /** Puts a prepared runtime in service; {@code false} when it could not bind (reported, retried). */
    private boolean apply(Step s) throws InterruptedException {
        Entry e = s.entry();
        VipRuntime current = s.current();
        VipRuntime next = s.next();
        String what = e.origin == Origin.CONFIG ? "VIP" : "dynamic VIP";
        if (current != null && sameBind(s)) {
            next.takeOver();
            current.close();
            serve(e, next);
            log.info("{} {} changed ({}): new connections get the new settings", what, e.name,
                    changedKeys(current.config(), next.config()));
            return true;
        }
        try {
            next.listener().bind();
        } catch (BindException ex) {
            next.close();
            bindFailed(e, current == null ? ex.getMessage()
                    : ex.getMessage() + "; still serving on " + current.config().bind());
            return false;
        }
        serve(e, next);
        VipConfig c = next.config();
        if (current == null) {
            log.info("{} {} listening on {} (service {}, strategy {})", what, e.name, next.listener().localAddress(),
                    c.service(), c.strategy().label());
        } else {
            retire(current, null);
            log.info("{} {} moved from {} to {}; connections on the old address drain for up to {} ms", what,
                    e.name, current.config().bind(), next.listener().localAddress(), drainTimeoutMs.getAsLong());
        }
        return true;
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
            log.warn("VIP {}: {} (trying again every {} s)", e.name, message, RETRY_MS / 1000);
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
            log.info("VIP {} removed: not accepting any more; its connections drain for up to {} ms", name,
                    drainTimeoutMs.getAsLong());
        } else {
            log.info("VIP {} removed", name);
        }
    }

    /**
     * Stops {@code rt} accepting, then waits in the background for its connections (at most
     * {@code drain.timeoutMs}) and closes what is left. With {@code removedName}, the VIP was
     * removed: its metrics go too, unless a VIP of that name exists again by then.
     */
    private void retire(VipRuntime rt, String removedName) {
        rt.listener().stopAccepting();
        rt.close();
        draining.add(rt);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainTimeoutMs.getAsLong());
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
            rt.listener().closeConnections(ConnectionEnd.DRAINING, 5, TimeUnit.SECONDS);
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
        for (Entry e : entries.values()) {
            if (e.bindError != null && e.desired != null) {
                try {
                    reconcile();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
        }
    }

    /** The keys that differ, for the log: {@code strategy, healthCheck.intervalMs}. */
    static String changedKeys(VipConfig before, VipConfig after) {
        return String.join(", ", ConfigDiff.keys("", before, after));
    }

    // ---- read anywhere ----

    /** Entries in the order operators read them: the file's in file order, then the nodes' by name. */
    private List<Entry> ordered() {
        List<Entry> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (VipConfig v : fileVips) {
            Entry e = entries.get(v.name());
            if (e != null && seen.add(e.name)) {
                out.add(e);
            }
        }
        for (Entry e : new TreeMap<>(entries).values()) {
            if (seen.add(e.name)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Every VIP with its state and errors. */
    List<VipView> views() {
        List<VipView> views = new ArrayList<>();
        for (Entry e : ordered()) {
            VipRuntime rt = e.runtime;
            String source = e.origin.label();
            if (rt != null) {
                views.add(rt.view(source, e.error()));
            } else {
                VipConfig d = e.desired;
                views.add(new VipView(e.name, d == null ? null : d.bind().toString(), null, false, e.error(), source,
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

    /** The file's VIPs that are not bound now: the replica is not ready while there are any. */
    List<String> unboundFileVips() {
        List<String> unbound = new ArrayList<>();
        for (VipConfig v : fileVips) {
            Entry e = entries.get(v.name());
            VipRuntime rt = e == null ? null : e.runtime;
            if (rt == null || !rt.listener().isBound()) {
                unbound.add(v.name());
            }
        }
        return unbound;
    }

    /**
     * Bound VIPs for the replica's node, in {@link #ordered()} order, each with the address
     * clients use for it: {@code clientAddress} of its bind host.
     */
    List<ReplicaInfo.VipBind> binds(UnaryOperator<String> clientAddress) {
        List<ReplicaInfo.VipBind> binds = new ArrayList<>();
        for (Entry e : ordered()) {
            VipRuntime rt = e.runtime;
            if (rt != null) {
                binds.add(new ReplicaInfo.VipBind(e.name, boundBind(rt),
                        clientAddress.apply(rt.config().bind().host())));
            }
        }
        return binds;
    }

    /** The names of every VIP wanted, bound or not. */
    Set<String> names() {
        return Set.copyOf(entries.keySet());
    }

    /** A VIP's bind address with the port it really got (port 0 asks the kernel for one). */
    static String boundBind(VipRuntime vip) {
        InetSocketAddress a = vip.listener().localAddress();
        BindAddress bind = vip.config().bind();
        return a == null ? bind.toString() : new BindAddress(bind.host(), a.getPort()).toString();
    }

    /** Open client connections, draining VIPs' included. */
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
        Future<?> f = submit(() -> {
            for (VipRuntime rt : runtimes()) {
                rt.listener().stopAccepting();
            }
            return null;
        });
        awaitStopped(f);
    }

    private static void awaitStopped(Future<?> f) throws InterruptedException {
        if (!await(f, CLOSE_WAIT_MS)) {
            log.warn("VIPs did not stop within {} ms", CLOSE_WAIT_MS);
        }
    }

    /** Closes every VIP's connections and runtime. Idempotent. */
    @Override
    public void close() {
        close(ConnectionEnd.SHUTDOWN);
    }

    /**
     * Closes every VIP's connections and runtime; the access log says the connections ended by
     * {@code why} ({@code draining} when the replica's drain ran out of time). Idempotent.
     */
    void close(ConnectionEnd why) {
        stopped = true;
        Future<?> done = submit(() -> {
            List<VipRuntime> all = new ArrayList<>(runtimes());
            all.addAll(draining);
            for (VipRuntime rt : all) {
                rt.listener().stopAccepting();
                rt.listener().closeConnections(why, 5, TimeUnit.SECONDS);
                rt.close();
            }
            entries.clear();
            draining.clear();
            return null;
        });
        try {
            awaitStopped(done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
