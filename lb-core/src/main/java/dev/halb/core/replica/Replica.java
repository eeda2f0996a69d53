package dev.halb.core.replica;

import dev.halb.core.accesslog.AccessLog;
import dev.halb.core.accesslog.ConnectionEnd;
import dev.halb.core.admin.AdminModel;
import dev.halb.core.admin.AdminServer;
import dev.halb.core.admin.ReloadView;
import dev.halb.core.config.BindAddress;
import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.config.ZooKeeperConfig;
import dev.halb.core.dns.DnsResponder;
import dev.halb.core.dns.DnsView;
import dev.halb.core.metrics.HalbMetrics;
import dev.halb.core.peers.PeerMonitor;
import dev.halb.core.peers.PeerStates;
import dev.halb.core.proxy.Transport;
import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSource;
import dev.halb.discovery.Catalog;
import dev.halb.discovery.StaticBackendSource;
import dev.halb.discovery.zookeeper.DiscoveryRecorder;
import dev.halb.discovery.zookeeper.DiscoveryState;
import dev.halb.discovery.zookeeper.EmbeddedZooKeeper;
import dev.halb.discovery.zookeeper.IdInUseException;
import dev.halb.discovery.zookeeper.ReplicaInfo;
import dev.halb.discovery.zookeeper.ReplicaRegistry;
import dev.halb.discovery.zookeeper.ReplicaSet;
import dev.halb.discovery.zookeeper.VipNodeSource;
import dev.halb.discovery.zookeeper.ZooKeeperBackendSource;
import dev.halb.discovery.zookeeper.ZooKeeperClients;
import dev.halb.discovery.zookeeper.ZooKeeperConnection;
import dev.halb.discovery.zookeeper.ZooKeeperSettings;
import dev.halb.core.metrics.Total;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running halb replica: the composition root. Lifecycle is one-way:
 * {@link #start} (bind everything or fail), serve, {@link #drain} (after SIGTERM), {@link #close}.
 *
 * <p>With {@code discovery.zookeeper.connect} set, the replica also connects to ZooKeeper (or
 * starts an embedded one), reads backends registered there, applies dynamic VIPs from
 * {@code <root>/vips} and registers itself under {@code <root>/replicas}. ZooKeeper being
 * unreachable slows the start by at most about {@code connectionTimeoutMs}
 * and never stops the replica: it serves with what it knows and catches up when ZooKeeper answers.
 */
public final class Replica implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Replica.class);

    private static final int SERVING = 0;
    private static final int DRAINING = 1;
    private static final int CLOSED = 2;
    /** How long a stopping replica waits for each event loop group before it goes on without it. */
    private static final long GROUP_STOP_WAIT_SECONDS = 10;

    /** Where {@code connect: embedded} listens when it can, so that {@code halb register --zk 127.0.0.1:2181} works. */
    public static final int EMBEDDED_ZOOKEEPER_PORT = 2181;

    /** How a replica runs, beyond its configuration. */
    public record Options(Transport transport, int ioThreads, HostLookup hostLookup) {

        public Options {
            hostLookup = hostLookup == null ? HostLookup.system() : hostLookup;
        }

        public Options(Transport transport, int ioThreads) {
            this(transport, ioThreads, HostLookup.system());
        }

        /** The fastest transport available (or the one forced by {@code halb.transport}), a thread per core. */
        public static Options defaults() {
            return new Options(null, 0);
        }

        public Options withTransport(Transport t) {
            return new Options(t, ioThreads, hostLookup);
        }

        /** How backend host names are resolved (tests use their own). */
        public Options withHostLookup(HostLookup lookup) {
            return new Options(transport, ioThreads, lookup);
        }
    }

    /** The configuration in force: the file's last valid version, restart-only keys as started. */
    private volatile HalbConfig config;
    private final String id;
    private final String hostAddress;
    private final Transport transport;
    private final EventLoopGroup ioGroup;
    private final EventLoopGroup adminGroup;
    /** Every health check of every VIP runs here: one thread, however many backends. */
    private final EventLoopGroup healthGroup;
    private final HalbMetrics metrics = new HalbMetrics();
    private final AccessLog accessLog;
    private final HostResolver resolver;
    private final VipContext context;
    private final StaticBackendSource staticBackends;
    private final ReplicaAdmin adminModel;
    private final AdminServer admin;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final AtomicInteger state = new AtomicInteger(SERVING);
    private final DiscoveryRecorder recorder;
    private final Object reloadLock = new Object();
    /** The last reload, {@code null} before the first. */
    private volatile ReloadView lastReload;
    /** Serving replicas per zone (registered, and serving as the peer probes see them); empty until known. */
    private volatile Map<String, Integer> replicasPerZone = Map.of();
    /** The registry's last set; empty until it has been read (and without ZooKeeper). */
    private volatile ReplicaSet registered = ReplicaSet.EMPTY;
    private volatile PeerStates peerStates = PeerStates.EMPTY;
    private final ClientAddresses clientAddresses;
    /** What DNS answers from: rebuilt on every change of replicas, peers, VIPs or draining; read per query. */
    private volatile DnsView dnsView;
    private final Object membershipLock = new Object();
    /** DNS and peer probes each run on one thread of their own, never on the proxy's loops. */
    private final EventLoopGroup dnsGroup;
    private final EventLoopGroup peersGroup;

    // Set in startAll, before anything reads them; closed in close().
    private volatile Catalog catalog;
    private volatile VipTable table;
    private volatile EmbeddedZooKeeper embedded;
    private volatile ZooKeeperConnection zooKeeper;
    private volatile VipNodeSource vipNodes;
    private volatile AutoCloseable vipNodesSubscription;
    private volatile ReplicaRegistry registry;
    private volatile AutoCloseable registrySubscription;
    private volatile PeerMonitor peers;
    private volatile AutoCloseable peersSubscription;
    private volatile DnsResponder dns;

    private Replica(HalbConfig config, Options options) throws StartupException {
        this.config = config;
        // First, before any thread exists: a path that cannot be written fails the start cleanly.
        Total dropped = metrics.accessLogDropped();
        try {
            this.accessLog = AccessLog.open(config.accessLog(), dropped::mark);
        } catch (IOException e) {
            throw new StartupException("cannot open the access log: " + e.getMessage(), e);
        }
        this.transport = options.transport() != null ? options.transport() : Transport.select();
        int threads = options.ioThreads() > 0 ? options.ioThreads() : Runtime.getRuntime().availableProcessors();
        this.ioGroup = transport.newGroup(threads, "halb-io");
        this.adminGroup = transport.newGroup(1, "halb-admin");
        this.healthGroup = transport.newGroup(1, "halb-health");
        this.dnsGroup = config.dns().enabled() ? transport.newGroup(1, "halb-dns") : null;
        this.peersGroup = config.discovery().zookeeper().enabled() ? transport.newGroup(1, "halb-peers") : null;
        this.id = resolveId(config);
        this.hostAddress = hostAddress();
        this.clientAddresses = new ClientAddresses(config.replica().advertise(),
                ClientAddresses.firstNonLoopback(hostAddress));
        this.recorder = (path, reason) -> metrics.discoveryRejected();
        this.resolver = new HostResolver(options.hostLookup());
        this.context = new VipContext(config.replica().zone(), config.replica().region(), ioGroup, transport,
                metrics, healthGroup, id.hashCode(), resolver, () -> replicasPerZone, accessLog);
        this.staticBackends = new StaticBackendSource(staticBackendsByService(config.vips()));
        this.adminModel = new ReplicaAdmin(this);
        this.admin = new AdminServer(config.admin(), adminModel, adminGroup, transport);
        metrics.registerConfigReloads();
    }

    /** The replica id a configuration gives: {@code replica.id}, or {@code <hostname>-<admin port>} when empty. */
    public static String resolveId(HalbConfig config) {
        return config.replica().id().isEmpty() ? hostname() + "-" + config.admin().bind().port()
                : config.replica().id();
    }

    /** The file's static backends by service; listed under several VIPs of one service, they count once. */
    static Map<String, List<Backend>> staticBackendsByService(List<VipConfig> vips) {
        Map<String, Map<String, Backend>> byService = new HashMap<>();
        for (VipConfig vip : vips) {
            Map<String, Backend> byId = byService.computeIfAbsent(vip.service(), s -> new LinkedHashMap<>());
            vip.staticBackends().forEach(b -> byId.putIfAbsent(b.id(), b));
        }
        Map<String, List<Backend>> out = new HashMap<>();
        byService.forEach((service, byId) -> out.put(service, List.copyOf(byId.values())));
        return out;
    }

    /**
     * Starts a replica: ZooKeeper (when configured), catalog, every VIP listener, the admin API,
     * dynamic VIPs and the replica registry.
     *
     * @throws StartupException naming what could not start (a VIP address in use, say); nothing
     *                          is left running
     */
    public static Replica start(HalbConfig config, Options options) throws StartupException {
        Objects.requireNonNull(config, "config");
        Replica r = new Replica(config, options);
        try {
            r.startAll();
        } catch (StartupException e) {
            r.close();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.close();
            throw new StartupException("interrupted while starting", e);
        } catch (Exception e) {
            r.close();
            throw new StartupException("cannot start: " + e.getMessage(), e);
        }
        return r;
    }

    private void startAll() throws Exception {
        ZooKeeperConfig zc = config.discovery().zookeeper();
        List<BackendSource> sources = new ArrayList<>();
        sources.add(staticBackends);
        if (zc.enabled()) {
            connectZooKeeper(zc);
            sources.add(new ZooKeeperBackendSource(zooKeeper, recorder));
        }
        catalog = new Catalog(sources);
        catalog.start();
        table = new VipTable(context, catalog, ConfigLoader.withSystemEnv(),
                zooKeeper == null ? "" : zooKeeper.settings().vipsPath(), () -> config.drain().timeoutMs(),
                this::vipsChanged);
        VipTable.Changes started = table.applyFile(config.vips());
        if (!started.bindErrors().isEmpty()) {
            throw new StartupException(started.bindErrors().values().iterator().next(), null);
        }
        try {
            admin.start();
        } catch (BindException e) {
            throw new StartupException(e.getMessage(), e);
        }
        if (zooKeeper != null) {
            startDynamic();
        }
        if (config.dns().enabled()) {
            startDns();
        }
        DescriptorBudget.warnIfOverLimit(config);
        if (config.servesNothing()) {
            log.warn("replica {} serves nothing: the configuration has no VIPs, and no ZooKeeper "
                    + "(discovery.zookeeper.connect) to add any at run time", id);
        }
        log.info("replica {} serving on {} (admin {}, discovery {}{})", id, transport.label(), admin.localAddress(),
                zooKeeper == null ? "static" : "ZooKeeper " + zooKeeper.settings().connect()
                        + zooKeeper.settings().root() + " (" + zooKeeper.state().label() + ")",
                dns == null ? "" : ", DNS " + config.dns().domain() + " on " + dns.localAddress());
    }

    /**
     * Connects to ZooKeeper, starting the embedded server first for {@code connect: embedded}.
     * Waits at most {@code connectionTimeoutMs} for an answer; without one, carries on (the
     * client keeps trying in the background).
     */
    private void connectZooKeeper(ZooKeeperConfig zc) throws StartupException, InterruptedException {
        String connect = zc.connect();
        if (zc.embedded()) {
            embedded = startEmbedded();
            connect = embedded.connectString();
        }
        ZooKeeperSettings settings;
        try {
            settings = new ZooKeeperSettings(connect, zc.root(), zc.sessionTimeoutMs(), zc.connectionTimeoutMs(),
                    zc.auth());
        } catch (IllegalArgumentException e) {
            throw new StartupException("discovery.zookeeper." + e.getMessage(), e);
        }
        ZooKeeperConnection c = ZooKeeperClients.connect(settings);
        zooKeeper = c;
        metrics.registerDiscoveryConnected(() -> c.state().connected());
    }

    /**
     * An embedded ZooKeeper on 127.0.0.1:{@value #EMBEDDED_ZOOKEEPER_PORT}, or on a free port
     * (with a warning naming it) when that one is taken.
     */
    private static EmbeddedZooKeeper startEmbedded() throws StartupException {
        try {
            return EmbeddedZooKeeper.start(EMBEDDED_ZOOKEEPER_PORT);
        } catch (IOException first) {
            try {
                EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(0);
                log.warn("{}; the embedded ZooKeeper listens on {} instead (register backends with --zk {})",
                        first.getMessage(), zk.connectString(), zk.connectString());
                return zk;
            } catch (IOException e) {
                throw new StartupException(e.getMessage(), e);
            }
        }
    }

    /** ZooKeeper's VIP nodes, then this replica's node in the registry (it lists them). */
    private void startDynamic() throws InterruptedException, StartupException {
        ZooKeeperSettings settings = zooKeeper.settings();
        vipNodes = VipNodeSource.start(zooKeeper, recorder);
        vipNodesSubscription = vipNodes.subscribe(table::nodesChanged);
        table.awaitSettled(settings.connectionTimeoutMs());
        ReplicaRegistry r;
        try {
            r = ReplicaRegistry.start(zooKeeper, selfInfo(), recorder);
        } catch (IdInUseException e) {
            throw new StartupException("replica id " + id + " is in use: " + e.getMessage()
                    + "; give every replica its own replica.id", e);
        }
        registry = r;
        peers = PeerMonitor.start(id, config.peers(), peersGroup, transport.channelClass());
        peersSubscription = peers.subscribe(this::peersChanged);
        registrySubscription = r.subscribe(this::replicasChanged);
    }

    private void startDns() throws StartupException {
        refreshDns();
        try {
            dns = DnsResponder.start(config.dns(), dnsGroup, transport, () -> dnsView, metrics.registerDns());
        } catch (BindException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    /** The bound VIPs changed: rewrite this replica's node, and its own DNS answers at once. */
    private void vipsChanged() {
        ReplicaRegistry r = registry;
        if (r != null && state.get() != CLOSED) {
            r.update(selfInfo());
        }
        refreshDns();
    }

    /** The registry changed: the peers to probe, the zone shares and DNS follow. */
    private void replicasChanged(ReplicaSet set) {
        registered = set;
        PeerMonitor p = peers;
        if (p != null) {
            p.replicasChanged(set);
        }
        membershipChanged();
    }

    /** A peer's state changed: the zone shares and DNS follow, without waiting for ZooKeeper. */
    private void peersChanged(PeerStates states) {
        peerStates = states;
        Map<String, Boolean> up = new TreeMap<>();
        states.byId().forEach((peer, st) -> up.put(peer, st.serving()));
        metrics.peersChanged(up);
        membershipChanged();
    }

    private void membershipChanged() {
        synchronized (membershipLock) {
            updateZoneShares();
            refreshDns();
        }
    }

    /** Rebuilds what DNS answers from; a no-op without DNS. */
    private void refreshDns() {
        if (!config.dns().enabled() || state.get() == CLOSED) {
            return;
        }
        synchronized (membershipLock) {
            VipTable t = table;
            dnsView = DnsView.of(registered, selfInfo(), state.get() == SERVING, peerStates,
                    t == null ? Set.of() : t.names(), Instant.now().getEpochSecond());
        }
    }

    /**
     * Zone affinity's {@code L_z} follows the serving replicas: registered, and not down or
     * draining as this replica's probes see them (this replica always counts). Replicas with no
     * zone take no zone's share; a set with no zoned replica is not passed on, so VIPs keep the
     * last shares they had (a registry is never "emptied" by a disconnect either).
     */
    private void updateZoneShares() {
        PeerStates states = peerStates;
        Map<String, Integer> perZone = new TreeMap<>();
        for (ReplicaInfo r : registered.replicas()) {
            if (!r.zone().isEmpty() && (r.id().equals(id) || states.serving(r.id()))) {
                perZone.merge(r.zone(), 1, Integer::sum);
            }
        }
        if (perZone.isEmpty() || perZone.equals(replicasPerZone)) {
            return;
        }
        Map<String, Integer> counts = Map.copyOf(perZone);
        replicasPerZone = counts;
        log.info("live replicas per zone: {}", perZone);
        VipTable t = table;
        if (t != null) {
            for (VipRuntime vip : t.runtimes()) {
                vip.onReplicas(counts);
            }
        }
    }

    ReplicaInfo selfInfo() {
        VipTable t = table;
        List<ReplicaInfo.VipBind> binds = t == null ? List.of() : t.binds(clientAddresses::of);
        InetSocketAddress a = admin.localAddress();
        HalbConfig c = config;
        String adminBind = a == null ? c.admin().bind().toString()
                : new BindAddress(c.admin().bind().host(), a.getPort()).toString();
        return new ReplicaInfo(id, c.replica().zone(), c.replica().region(), hostAddress, adminBind, binds,
                startedAt.toString());
    }

    /** Descriptors kept free beyond the VIPs' connections; see {@link DescriptorBudget}. */
    public static final long RESERVED_DESCRIPTORS = DescriptorBudget.RESERVED;

    /**
     * Applies a new version of the configuration file, as after SIGHUP: its VIPs through the VIP
     * table (added, changed, moved new-first, removed and drained; open connections keep going),
     * its static backends, and {@code drain}. Keys that only take effect on restart
     * ({@code replica}, {@code admin}, {@code discovery}, {@code dns}, {@code peers}) keep their
     * running values and are named in a warning. Reloads are applied one at a time.
     */
    public ReloadView reload(HalbConfig next) throws InterruptedException {
        Objects.requireNonNull(next, "next");
        synchronized (reloadLock) {
            if (state.get() != SERVING) {
                return recordReload("failed", "not applied: the replica is draining", List.of());
            }
            accessLog.reopen();
            HalbConfig running = config;
            List<String> restartOnly = new ArrayList<>();
            restartOnly.addAll(ConfigDiff.keys("replica", running.replica(), next.replica()));
            restartOnly.addAll(ConfigDiff.keys("admin", running.admin(), next.admin()));
            restartOnly.addAll(ConfigDiff.keys("discovery", running.discovery(), next.discovery()));
            restartOnly.addAll(ConfigDiff.keys("dns", running.dns(), next.dns()));
            restartOnly.addAll(ConfigDiff.keys("peers", running.peers(), next.peers()));
            restartOnly.addAll(ConfigDiff.keys("accessLog", running.accessLog(), next.accessLog()));
            if (!restartOnly.isEmpty()) {
                log.warn("configuration reload: {} changed but take effect only on restart; running with the "
                        + "values the replica started with", restartOnly);
            }
            HalbConfig applied = new HalbConfig(running.replica(), running.discovery(), running.admin(), next.vips(),
                    next.drain(), running.dns(), running.peers(), running.accessLog());
            config = applied;
            staticBackends.replace(staticBackendsByService(applied.vips()));
            VipTable.Changes changes = table.applyFile(applied.vips());
            DescriptorBudget.warnIfOverLimit(applied);
            if (!changes.bindErrors().isEmpty()) {
                String detail = changes.summary() + "; not bound: " + changes.bindErrors();
                log.warn("configuration reloaded with errors: {}", detail);
                return recordReload("failed", detail, restartOnly);
            }
            log.info("configuration reloaded: {}", changes.summary());
            return recordReload("ok", changes.summary(), restartOnly);
        }
    }

    /**
     * A reload whose file could not be used (it does not parse, or a value is out of range):
     * nothing changes; the error, which names the key, is logged, counted and shown.
     */
    public ReloadView reloadRefused(String error) {
        synchronized (reloadLock) {
            log.warn("configuration reload refused, nothing changed: {}", error);
            return recordReload("failed", "invalid file, nothing changed: " + error, List.of());
        }
    }

    private ReloadView recordReload(String result, String detail, List<String> restartOnly) {
        ReloadView v = new ReloadView(Instant.now().toString(), result, detail, restartOnly);
        lastReload = v;
        metrics.configReloaded(result);
        return v;
    }

    /**
     * The SIGTERM sequence: {@code /health} answers 503 at once; keep accepting
     * for {@code drain.delayMs}; stop accepting; wait up to {@code drain.timeoutMs} for open
     * connections; remove the replica node; close. Blocks until done. Idempotent.
     */
    public void drain() throws InterruptedException {
        if (!state.compareAndSet(SERVING, DRAINING)) {
            return;
        }
        refreshDns(); // out of its own answers at once; peers see the 503 at their next probe
        log.info("draining: /health answers 503; accepting for {} ms more", config.drain().delayMs());
        Thread.sleep(config.drain().delayMs());
        VipTable t = table;
        if (t != null) {
            t.stopAccepting();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drain().timeoutMs());
        int open;
        while ((open = openConnections()) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (open > 0) {
            log.warn("drain timed out after {} ms with {} connections open: closing them",
                    config.drain().timeoutMs(), open);
        } else {
            log.info("drained: no open connections");
        }
        close();
    }

    private int openConnections() {
        VipTable t = table;
        return t == null ? 0 : t.openConnections();
    }

    /**
     * Closes everything: the replica node first (other replicas stop counting this one), then
     * dynamic VIPs, discovery, the listeners and their connections, the admin API, ZooKeeper.
     * Idempotent.
     */
    @Override
    public void close() {
        int before = state.getAndSet(CLOSED);
        if (before == CLOSED) {
            return;
        }
        closeQuietly(dns, "DNS responder");
        closeQuietly(peersSubscription, "peer states subscription");
        closeQuietly(peers, "peer probes");
        closeQuietly(registrySubscription, "replica registry subscription");
        closeQuietly(registry, "replica registry");
        closeQuietly(vipNodesSubscription, "dynamic VIP nodes subscription");
        closeQuietly(vipNodes, "dynamic VIP nodes");
        VipTable t = table;
        if (t != null) {
            // Connections still open now are closed by halb: the drain ran out of time, or the replica stops.
            t.close(before == DRAINING ? ConnectionEnd.DRAINING : ConnectionEnd.SHUTDOWN);
        }
        closeQuietly(catalog, "catalog");
        admin.close();
        resolver.close();
        closeQuietly(zooKeeper, "ZooKeeper connection");
        closeQuietly(embedded, "embedded ZooKeeper");
        stopGroup(ioGroup, "I/O");
        stopGroup(adminGroup, "admin");
        stopGroup(healthGroup, "health check");
        stopGroup(dnsGroup, "DNS");
        stopGroup(peersGroup, "peer probe");
        // Last: the event loops have handed in the records of the connections they closed.
        accessLog.close();
    }

    /**
     * Reopens the access log file by its path, for logrotate (after SIGUSR1, and on each
     * SIGHUP reload): the writer switches files between two batches.
     */
    public void reopenAccessLog() {
        accessLog.reopen();
    }

    /**
     * Stops an event loop group: its loops finish what they run within the 2 s quiet period. A
     * group that has still not terminated 10 s later is logged and left, so that a stopping
     * replica always gets to exit.
     */
    private static void stopGroup(EventLoopGroup group, String what) {
        if (group == null) {
            return;
        }
        if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(GROUP_STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
            log.warn("the {} threads did not stop within {} s; stopping without them", what, GROUP_STOP_WAIT_SECONDS);
        }
    }

    private static void closeQuietly(AutoCloseable c, String what) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing {} failed", what, e);
        }
    }

    public String id() {
        return id;
    }

    public Transport transport() {
        return transport;
    }

    public HalbMetrics metricsRegistry() {
        return metrics;
    }

    /** Where a VIP (configured or dynamic) is bound (its real port when configured with port 0), or {@code null}. */
    public InetSocketAddress vipAddress(String name) {
        VipRuntime vip = vip(name);
        return vip == null ? null : vip.listener().localAddress();
    }

    VipRuntime vip(String name) {
        VipTable t = table;
        return t == null ? null : t.runtime(name);
    }

    public InetSocketAddress adminAddress() {
        return admin.localAddress();
    }

    /** The ZooKeeper connect string in use (an embedded server's real address), or {@code null} without ZooKeeper. */
    public String zooKeeperConnectString() {
        ZooKeeperConnection c = zooKeeper;
        return c == null ? null : c.settings().connect();
    }

    /** What the admin API sees of this replica. */
    public AdminModel admin() {
        return adminModel;
    }

    // ---- read by the admin model ----

    boolean draining() {
        return state.get() != SERVING;
    }

    HalbConfig config() {
        return config;
    }

    VipTable table() {
        return table;
    }

    ReplicaRegistry registry() {
        return registry;
    }

    /** Each peer's state as this replica's probes see it. */
    PeerStates peerStates() {
        return peerStates;
    }

    /** Where DNS listens (UDP and TCP), or {@code null} without {@code dns.bind}. */
    public InetSocketAddress dnsAddress() {
        DnsResponder d = dns;
        return d == null ? null : d.localAddress();
    }

    ZooKeeperConnection zooKeeper() {
        return zooKeeper;
    }

    Instant startedAt() {
        return startedAt;
    }

    long uptimeSeconds() {
        return Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds();
    }

    ReloadView lastReload() {
        return lastReload;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String hostAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
