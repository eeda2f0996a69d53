package dev.halb.core.replica;

import dev.halb.core.admin.AdminModel;
import dev.halb.core.admin.AdminServer;
import dev.halb.core.admin.ReplicaView;
import dev.halb.core.admin.StatusView;
import dev.halb.core.admin.VipView;
import dev.halb.core.config.BindAddress;
import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.config.ZooKeeperConfig;
import dev.halb.core.metrics.HalbMetrics;
import dev.halb.core.proxy.Transport;
import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSource;
import dev.halb.discovery.Catalog;
import dev.halb.discovery.StaticBackendSource;
import dev.halb.discovery.zookeeper.DiscoveryRecorder;
import dev.halb.discovery.zookeeper.DiscoveryState;
import dev.halb.discovery.zookeeper.EmbeddedZooKeeper;
import dev.halb.discovery.zookeeper.ReplicaInfo;
import dev.halb.discovery.zookeeper.ReplicaRegistry;
import dev.halb.discovery.zookeeper.ReplicaSet;
import dev.halb.discovery.zookeeper.VipNodeSource;
import dev.halb.discovery.zookeeper.ZooKeeperBackendSource;
import dev.halb.discovery.zookeeper.ZooKeeperClients;
import dev.halb.discovery.zookeeper.ZooKeeperConnection;
import dev.halb.discovery.zookeeper.ZooKeeperSettings;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
public final class Replica implements AdminModel, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Replica.class);

    private static final int SERVING = 0;
    private static final int DRAINING = 1;
    private static final int CLOSED = 2;

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

    private final HalbConfig config;
    private final String id;
    private final String hostAddress;
    private final Transport transport;
    private final EventLoopGroup ioGroup;
    private final EventLoopGroup adminGroup;
    /** Every health check of every VIP runs here: one thread, however many backends. */
    private final EventLoopGroup healthGroup;
    private final HalbMetrics metrics = new HalbMetrics();
    private final HostResolver resolver;
    private final VipContext context;
    /** The VIPs of the configuration file, in file order. */
    private final Map<String, VipRuntime> vips = new LinkedHashMap<>();
    private final Map<String, List<Backend>> staticBackends;
    private final AdminServer admin;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final AtomicInteger state = new AtomicInteger(SERVING);
    private final DiscoveryRecorder recorder;
    /** Live replicas per zone as the registry last said; empty until it has (and without ZooKeeper). */
    private volatile Map<String, Integer> replicasPerZone = Map.of();

    // Set in startAll, before anything reads them; closed in close().
    private volatile Catalog catalog;
    private volatile EmbeddedZooKeeper embedded;
    private volatile ZooKeeperConnection zooKeeper;
    private volatile VipNodeSource vipNodes;
    private volatile DynamicVips dynamicVips;
    private volatile ReplicaRegistry registry;
    private volatile AutoCloseable registrySubscription;

    private Replica(HalbConfig config, Options options) {
        this.config = config;
        this.transport = options.transport() != null ? options.transport() : Transport.select();
        int threads = options.ioThreads() > 0 ? options.ioThreads() : Runtime.getRuntime().availableProcessors();
        this.ioGroup = transport.newGroup(threads, "halb-io");
        this.adminGroup = transport.newGroup(1, "halb-admin");
        this.healthGroup = transport.newGroup(1, "halb-health");
        this.id = config.replica().id().isEmpty()
                ? hostname() + "-" + config.admin().bind().port()
                : config.replica().id();
        this.hostAddress = hostAddress();
        this.recorder = (path, reason) -> metrics.discoveryRejected();
        this.resolver = new HostResolver(options.hostLookup());
        this.context = new VipContext(config.replica().zone(), config.replica().region(), ioGroup, transport, metrics,
                healthGroup, id.hashCode(), resolver, () -> replicasPerZone);
        Map<String, List<Backend>> byService = new HashMap<>();
        for (VipConfig vip : config.vips()) {
            byService.computeIfAbsent(vip.service(), s -> new ArrayList<>()).addAll(vip.staticBackends());
            vips.put(vip.name(), new VipRuntime(vip, context));
        }
        this.staticBackends = dedupe(byService);
        this.admin = new AdminServer(config.admin(), this, adminGroup, transport);
    }

    /** Static backends listed under several VIPs of one service count once. */
    private static Map<String, List<Backend>> dedupe(Map<String, List<Backend>> byService) {
        Map<String, List<Backend>> out = new HashMap<>();
        byService.forEach((service, list) -> {
            Map<String, Backend> byId = new LinkedHashMap<>();
            list.forEach(b -> byId.putIfAbsent(b.id(), b));
            out.put(service, List.copyOf(byId.values()));
        });
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
        sources.add(new StaticBackendSource(staticBackends));
        if (zc.enabled()) {
            connectZooKeeper(zc);
            sources.add(new ZooKeeperBackendSource(zooKeeper, recorder));
        }
        catalog = new Catalog(sources);
        for (VipRuntime vip : vips.values()) {
            vip.start(catalog);
        }
        catalog.start();
        VipRuntime.awaitFirstChecks(vips.values());
        for (VipRuntime vip : vips.values()) {
            vip.activate();
            try {
                vip.listener().bind();
            } catch (BindException e) {
                throw new StartupException(e.getMessage(), e);
            }
            log.info("VIP {} listening on {} (service {}, strategy {})", vip.name(), vip.listener().localAddress(),
                    vip.config().service(), vip.config().strategy().label());
        }
        try {
            admin.start();
        } catch (BindException e) {
            throw new StartupException(e.getMessage(), e);
        }
        if (zooKeeper != null) {
            startDynamic();
        }
        warnAboutFileLimit();
        if (config.servesNothing()) {
            log.warn("replica {} serves nothing: the configuration has no VIPs, and no ZooKeeper "
                    + "(discovery.zookeeper.connect) to add any at run time", id);
        }
        log.info("replica {} serving on {} (admin {}, discovery {})", id, transport.label(), admin.localAddress(),
                zooKeeper == null ? "static" : "ZooKeeper " + zooKeeper.settings().connect()
                        + zooKeeper.settings().root() + " (" + zooKeeper.state().label() + ")");
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

    /** Dynamic VIPs, then this replica's node in the registry (it lists them). */
    private void startDynamic() throws InterruptedException {
        ZooKeeperSettings settings = zooKeeper.settings();
        DynamicVips d = new DynamicVips(context, catalog, ConfigLoader.withSystemEnv(), vips.keySet(),
                settings.vipsPath(), config.drain().timeoutMs(), this::vipsChanged);
        dynamicVips = d;
        vipNodes = VipNodeSource.start(zooKeeper, recorder);
        d.start(vipNodes, settings.connectionTimeoutMs());
        ReplicaRegistry r = ReplicaRegistry.start(zooKeeper, selfInfo(), recorder);
        registry = r;
        registrySubscription = r.subscribe(this::replicasChanged);
    }

    /** The bound dynamic VIPs changed: rewrite this replica's node. */
    private void vipsChanged() {
        ReplicaRegistry r = registry;
        if (r != null && state.get() != CLOSED) {
            r.update(selfInfo());
        }
    }

    /**
     * Live replicas changed: zone affinity's {@code L_z} follows. Replicas with
     * no zone take no zone's share; a set with no zoned replica is not passed on, so VIPs keep the
     * last shares they had (a registry is never "emptied" by a disconnect either).
     */
    private void replicasChanged(ReplicaSet set) {
        Map<String, Integer> perZone = new TreeMap<>();
        for (ReplicaInfo r : set.replicas()) {
            if (!r.zone().isEmpty()) {
                perZone.merge(r.zone(), 1, Integer::sum);
            }
        }
        if (perZone.isEmpty() || perZone.equals(replicasPerZone)) {
            return;
        }
        Map<String, Integer> counts = Map.copyOf(perZone);
        replicasPerZone = counts;
        log.info("live replicas per zone: {}", perZone);
        for (VipRuntime vip : allVips()) {
            vip.onReplicas(counts);
        }
    }

    private List<VipRuntime> allVips() {
        List<VipRuntime> all = new ArrayList<>(vips.values());
        DynamicVips d = dynamicVips;
        if (d != null) {
            all.addAll(d.runtimes());
        }
        return all;
    }

    private VipRuntime vip(String name) {
        VipRuntime v = vips.get(name);
        if (v == null) {
            DynamicVips d = dynamicVips;
            v = d == null ? null : d.runtime(name);
        }
        return v;
    }

    private ReplicaInfo selfInfo() {
        List<ReplicaInfo.VipBind> binds = new ArrayList<>();
        for (VipRuntime vip : vips.values()) {
            binds.add(new ReplicaInfo.VipBind(vip.name(), boundBind(vip)));
        }
        DynamicVips d = dynamicVips;
        if (d != null) {
            binds.addAll(d.binds());
        }
        InetSocketAddress a = admin.localAddress();
        String adminBind = a == null ? config.admin().bind().toString()
                : new BindAddress(config.admin().bind().host(), a.getPort()).toString();
        return new ReplicaInfo(id, config.replica().zone(), config.replica().region(), hostAddress, adminBind, binds,
                startedAt.toString());
    }

    /** A VIP's bind address with the port it really got (port 0 asks the kernel for one). */
    static String boundBind(VipRuntime vip) {
        InetSocketAddress a = vip.listener().localAddress();
        BindAddress bind = vip.config().bind();
        return a == null ? bind.toString() : new BindAddress(bind.host(), a.getPort()).toString();
    }

    /**
     * Descriptors kept free beyond the VIPs' connections: the JVM's own (jars, epoll or io_uring
     * rings, logs), the listeners, the admin API's connections, ZooKeeper, and one health check
     * socket per backend at a time.
     */
    static final long RESERVED_DESCRIPTORS = 512;

    /**
     * Warns when the VIPs' connection limits, at two descriptors per proxied connection, plus
     * what the rest of the replica needs, reach the process's open-file limit: at that limit new
     * clients are refused ({@code no_resources}) before {@code maxConnections} is reached.
     */
    private void warnAboutFileLimit() {
        long connections = 0;
        long backends = 0;
        for (VipConfig v : config.vips()) {
            connections += 2L * v.maxConnections();
            backends += v.backends().size();
        }
        long needed = connections + RESERVED_DESCRIPTORS + backends;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long limit = os.getMaxFileDescriptorCount();
            if (needed >= limit) {
                log.warn("maxConnections of all VIPs need up to {} file descriptors (two per connection), {} with "
                        + "what health checks, the admin API and ZooKeeper keep, but the open-file limit is {}: "
                        + "raise it (ulimit -n) or lower maxConnections", connections, needed, limit);
            }
        }
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
        log.info("draining: /health answers 503; accepting for {} ms more", config.drain().delayMs());
        Thread.sleep(config.drain().delayMs());
        DynamicVips d = dynamicVips;
        if (d != null) {
            d.stopAccepting();
        }
        for (VipRuntime vip : vips.values()) {
            vip.listener().stopAccepting();
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
        int n = 0;
        for (VipRuntime vip : vips.values()) {
            n += vip.listener().activeConnections();
        }
        DynamicVips d = dynamicVips;
        if (d != null) {
            n += d.openConnections();
        }
        return n;
    }

    /**
     * Closes everything: the replica node first (other replicas stop counting this one), then
     * dynamic VIPs, discovery, the listeners and their connections, the admin API, ZooKeeper.
     * Idempotent.
     */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        closeQuietly(registrySubscription, "replica registry subscription");
        closeQuietly(registry, "replica registry");
        closeQuietly(vipNodes, "dynamic VIP nodes");
        closeQuietly(dynamicVips, "dynamic VIPs");
        closeQuietly(catalog, "catalog");
        for (VipRuntime vip : vips.values()) {
            vip.listener().stopAccepting();
            vip.listener().closeConnections().awaitUninterruptibly(5, TimeUnit.SECONDS);
            vip.close();
        }
        admin.close();
        resolver.close();
        closeQuietly(zooKeeper, "ZooKeeper connection");
        closeQuietly(embedded, "embedded ZooKeeper");
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        adminGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        healthGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
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

    public InetSocketAddress adminAddress() {
        return admin.localAddress();
    }

    /** The ZooKeeper connect string in use (an embedded server's real address), or {@code null} without ZooKeeper. */
    public String zooKeeperConnectString() {
        ZooKeeperConnection c = zooKeeper;
        return c == null ? null : c.settings().connect();
    }

    // ---- AdminModel ----

    @Override
    public boolean draining() {
        return state.get() != SERVING;
    }

    /** Only the configuration file's VIPs count for readiness: a dynamic VIP that cannot bind is reported, not fatal. */
    @Override
    public List<String> unboundVips() {
        List<String> unbound = new ArrayList<>();
        for (VipRuntime vip : vips.values()) {
            if (!vip.listener().isBound()) {
                unbound.add(vip.name());
            }
        }
        return unbound;
    }

    @Override
    public String metrics() {
        return metrics.scrape();
    }

    @Override
    public String metricsContentType() {
        return HalbMetrics.contentType();
    }

    @Override
    public StatusView status() {
        Instant now = Instant.now();
        long uptime = Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds();
        String discovery = "static";
        long since = uptime;
        String connect = "";
        ZooKeeperConnection c = zooKeeper;
        if (c != null) {
            DiscoveryState s = c.state();
            discovery = s.label();
            since = s.age(now).toSeconds();
            connect = c.settings().connect();
        }
        return new StatusView(id, config.replica().zone(), config.replica().region(), Version.current(),
                transport.label(), startedAt.toString(), uptime, draining() ? "draining" : "serving",
                discovery, since, connect);
    }

    @Override
    public List<VipView> vips() {
        List<VipView> views = new ArrayList<>();
        for (VipRuntime vip : vips.values()) {
            views.add(vip.view("config", null));
        }
        DynamicVips d = dynamicVips;
        if (d != null) {
            views.addAll(d.views());
        }
        return views;
    }

    /** The registry's live replicas, sorted by id; this one is always in (before the first read, or without ZooKeeper). */
    @Override
    public List<ReplicaView> replicas() {
        List<ReplicaView> views = new ArrayList<>();
        boolean self = false;
        ReplicaRegistry r = registry;
        if (r != null) {
            for (ReplicaInfo info : r.replicas().replicas()) {
                views.add(view(info));
                self |= info.id().equals(id);
            }
        }
        if (!self) {
            views.add(view(selfInfo()));
            views.sort(Comparator.comparing(ReplicaView::id));
        }
        return views;
    }

    private static ReplicaView view(ReplicaInfo info) {
        List<ReplicaView.VipBind> binds = new ArrayList<>();
        for (ReplicaInfo.VipBind b : info.vips()) {
            binds.add(new ReplicaView.VipBind(b.name(), b.bind()));
        }
        return new ReplicaView(info.id(), info.zone(), info.region(), info.address(), info.admin(), binds,
                info.startedAt());
    }

    @Override
    public DrainOutcome setDrained(String vip, String backendId, boolean drained) {
        VipRuntime v = vip(vip);
        if (v == null) {
            return DrainOutcome.UNKNOWN_VIP;
        }
        return v.setDrained(backendId, drained) ? DrainOutcome.DONE : DrainOutcome.UNKNOWN_BACKEND;
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
