package dev.halb.core.replica;

import dev.halb.core.admin.AdminModel;
import dev.halb.core.admin.AdminServer;
import dev.halb.core.admin.ReplicaView;
import dev.halb.core.admin.StatusView;
import dev.halb.core.admin.VipView;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.metrics.HalbMetrics;
import dev.halb.core.proxy.Transport;
import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSource;
import dev.halb.discovery.Catalog;
import dev.halb.discovery.StaticBackendSource;
import io.netty.channel.EventLoopGroup;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running halb replica: the composition root. Lifecycle is one-way:
 * {@link #start} (bind everything or fail), serve, {@link #drain} (after SIGTERM), {@link #close}.
 */
public final class Replica implements AdminModel, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Replica.class);

    private static final int SERVING = 0;
    private static final int DRAINING = 1;
    private static final int CLOSED = 2;

    /** How a replica runs, beyond its configuration. */
    public record Options(Transport transport, int ioThreads) {

        /** The fastest transport available (or the one forced by {@code halb.transport}), a thread per core. */
        public static Options defaults() {
            return new Options(null, 0);
        }

        public Options withTransport(Transport t) {
            return new Options(t, ioThreads);
        }
    }

    private final HalbConfig config;
    private final String id;
    private final Transport transport;
    private final EventLoopGroup ioGroup;
    private final EventLoopGroup adminGroup;
    /** Every health check of every VIP runs here: one thread, however many backends. */
    private final EventLoopGroup healthGroup;
    private final HalbMetrics metrics = new HalbMetrics();
    private final Map<String, VipRuntime> vips = new LinkedHashMap<>();
    private final Catalog catalog;
    private final List<AutoCloseable> subscriptions = new ArrayList<>();
    private final AdminServer admin;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final AtomicInteger state = new AtomicInteger(SERVING);

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
        Map<String, List<Backend>> staticBackends = new HashMap<>();
        long seed = id.hashCode();
        for (VipConfig vip : config.vips()) {
            staticBackends.computeIfAbsent(vip.service(), s -> new ArrayList<>()).addAll(vip.staticBackends());
            vips.put(vip.name(), new VipRuntime(vip, config.replica().zone(), ioGroup, transport, metrics,
                    healthGroup.next(), seed));
        }
        List<BackendSource> sources = List.of(new StaticBackendSource(dedupe(staticBackends)));
        this.catalog = new Catalog(sources);
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
     * Starts a replica: catalog, every VIP listener, the admin API.
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
        } catch (Exception e) {
            r.close();
            throw new StartupException("cannot start: " + e.getMessage(), e);
        }
        return r;
    }

    private void startAll() throws Exception {
        for (VipRuntime vip : vips.values()) {
            subscriptions.add(catalog.subscribe(vip.config().service(), vip::onBackends));
        }
        catalog.start();
        VipRuntime.awaitFirstChecks(vips.values());
        for (VipRuntime vip : vips.values()) {
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
        warnAboutFileLimit();
        log.info("replica {} serving on {} (admin {})", id, transport.label(), admin.localAddress());
    }

    /** DESIGN section 9: connection limits that need more descriptors than the process may open. */
    private void warnAboutFileLimit() {
        long needed = 0;
        for (VipConfig v : config.vips()) {
            needed += 2L * v.maxConnections();
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long limit = os.getMaxFileDescriptorCount();
            if (needed > limit) {
                log.warn("maxConnections of all VIPs need up to {} file descriptors (two per connection) "
                        + "but the open-file limit is {}: raise it (ulimit -n) or lower maxConnections", needed, limit);
            }
        }
    }

    /**
     * The SIGTERM sequence (DESIGN section 7): {@code /health} answers 503 at once; keep accepting
     * for {@code drain.delayMs}; stop accepting; wait up to {@code drain.timeoutMs} for open
     * connections; close. Blocks until done. Idempotent.
     */
    public void drain() throws InterruptedException {
        if (!state.compareAndSet(SERVING, DRAINING)) {
            return;
        }
        log.info("draining: /health answers 503; accepting for {} ms more", config.drain().delayMs());
        Thread.sleep(config.drain().delayMs());
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
        return n;
    }

    @Override
    public void close() {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        for (AutoCloseable s : subscriptions) {
            try {
                s.close();
            } catch (Exception e) {
                log.debug("unsubscribe failed", e);
            }
        }
        catalog.close();
        for (VipRuntime vip : vips.values()) {
            vip.listener().stopAccepting();
            vip.listener().closeConnections().awaitUninterruptibly(5, TimeUnit.SECONDS);
            vip.close();
        }
        admin.close();
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        adminGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        healthGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
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

    /** Where a VIP is bound (its real port when configured with port 0), or {@code null}. */
    public InetSocketAddress vipAddress(String name) {
        VipRuntime vip = vips.get(name);
        return vip == null ? null : vip.listener().localAddress();
    }

    public InetSocketAddress adminAddress() {
        return admin.localAddress();
    }

    // ---- AdminModel ----

    @Override
    public boolean draining() {
        return state.get() != SERVING;
    }

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
        long uptime = Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds();
        return new StatusView(id, config.replica().zone(), config.replica().region(), Version.current(),
                transport.label(), startedAt.toString(), uptime, draining() ? "draining" : "serving",
                "static", uptime);
    }

    @Override
    public List<VipView> vips() {
        List<VipView> views = new ArrayList<>();
        for (VipRuntime vip : vips.values()) {
            views.add(vip.view());
        }
        return views;
    }

    @Override
    public List<ReplicaView> replicas() {
        return List.of(self());
    }

    private ReplicaView self() {
        List<ReplicaView.VipBind> binds = new ArrayList<>();
        for (VipRuntime vip : vips.values()) {
            binds.add(new ReplicaView.VipBind(vip.name(), vip.config().bind().toString()));
        }
        return new ReplicaView(id, config.replica().zone(), config.replica().region(), hostAddress(),
                config.admin().bind().toString(), binds, startedAt.toString());
    }

    @Override
    public DrainOutcome setDrained(String vip, String backendId, boolean drained) {
        VipRuntime v = vips.get(vip);
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
