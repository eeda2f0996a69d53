package dev.halb.core.proxy;

import dev.halb.core.accesslog.AccessLog;
import dev.halb.core.accesslog.AccessRecord;
import dev.halb.core.accesslog.ConnectionEnd;
import dev.halb.core.system.DescriptorReserve;
import dev.halb.core.system.LocalErrors;
import dev.halb.core.balance.VipSelector;
import dev.halb.core.config.VipConfig;
import dev.halb.core.health.ConnectObserver;
import dev.halb.core.metrics.VipMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import dev.halb.core.logging.RateLimitedLog;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener of one VIP: accepts clients on its bind address and hands each to a
 * {@link FrontendHandler}. Lifecycle: {@link #bind} once, {@link #stopAccepting} when draining,
 * {@link #closeConnections} when the drain times out.
 */
public final class VipListener {

    /**
     * Write buffer water marks of both sides: a side stops reading while its peer has more than
     * HIGH bytes queued, and resumes below LOW. This bounds memory per connection.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(128 * 1024, 512 * 1024);

    /**
     * Read sizes adapt between 512 bytes and 256 KiB per read (Netty's default stops at 64 KiB).
     * Measured with iperf3 through halb on loopback: 256 KiB reads cost 20-25 % less CPU per byte
     * than 64 KiB reads, and stay below the high water mark so one read never pauses the side
     * that made it. The allocator is stateless and shared; each channel gets its own handle.
     */
    static final int MAX_READ = 256 * 1024;
    static final AdaptiveRecvByteBufAllocator RECV_ALLOCATOR =
            new AdaptiveRecvByteBufAllocator(512, 16 * 1024, MAX_READ);

    /**
     * How long accepting pauses after this replica ran out of a local resource (an accept or a
     * backend socket failed for lack of descriptors, say): clients wait in the kernel's backlog
     * meanwhile, instead of the loop spinning on a failure that repeats until something closes.
     */
    static final long ACCEPT_PAUSE_MS = 100;

    private static final Logger log = LoggerFactory.getLogger(VipListener.class);

    static {
        // Loaded with the listener, not by the first connection that ends: a class loaded while
        // the process is out of file descriptors fails (its class file cannot be opened), and
        // connections end in numbers exactly then.
        ConnectionEnd.values();
        PickLabels.load();
        AccessRecord.class.getName();
    }

    /**
     * What a new connection reads once when it starts; replaced as a whole when the VIP changes,
     * so a connection sees one consistent set of settings, selector and observer.
     */
    record Settings(VipConfig config, BackendConnector connector, VipSelector selector, ConnectObserver observer) {
    }

    private final String name;
    private final EventLoopGroup group;
    private final Transport transport;
    private final VipMetrics metrics;
    private final AccessLog accessLog;
    /** Why halb is closing this VIP's open connections, once it is; {@code null} before. */
    private volatile ConnectionEnd closingBecause;
    private final AtomicInteger active = new AtomicInteger();
    private volatile Settings settings;
    /** The listening sockets: one per event loop on epoll and io_uring, one on NIO; none before binding. */
    private volatile List<Channel> serverChannels = List.of();
    private final AtomicBoolean acceptPaused = new AtomicBoolean();
    /** One descriptor held back for turning clients away when accepting runs out; see {@link #shed}. */
    private volatile DescriptorReserve reserve;
    /** Set when the reserve was freed for the next accepted client, which is then turned away. */
    private final AtomicBoolean shedNext = new AtomicBoolean();
    /**
     * Set when the descriptor freed from the reserve went elsewhere (another loop opened a socket
     * with it): the reserve is taken back as soon as a connection ends and frees descriptors.
     */
    private volatile boolean reserveLost;
    private final Map<VipMetrics.Rejection, RateLimitedLog> refusalLogs = new EnumMap<>(VipMetrics.Rejection.class);
    private final RateLimitedLog noBackendLog = new RateLimitedLog(log);
    private final RateLimitedLog acceptErrorLog = new RateLimitedLog(log);

    public VipListener(VipConfig config, EventLoopGroup group, Transport transport, VipSelector selector,
                       VipMetrics metrics, ConnectObserver observer) {
        this(config, group, transport, selector, metrics, observer, AccessLog.disabled());
    }

    /** @param accessLog where each connection's record goes when it ends, and each refused client's */
    public VipListener(VipConfig config, EventLoopGroup group, Transport transport, VipSelector selector,
                       VipMetrics metrics, ConnectObserver observer, AccessLog accessLog) {
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
        this.name = config.name();
        this.group = Objects.requireNonNull(group, "group");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = settingsFor(config, selector, observer);
        for (VipMetrics.Rejection r : VipMetrics.Rejection.values()) {
            refusalLogs.put(r, new RateLimitedLog(log));
        }
    }

    private Settings settingsFor(VipConfig config, VipSelector selector, ConnectObserver observer) {
        return new Settings(Objects.requireNonNull(config, "config"),
                new BackendConnector(transport, config.connectTimeoutMs()),
                Objects.requireNonNull(selector, "selector"), Objects.requireNonNull(observer, "observer"));
    }

    /**
     * Binds the VIP's address. On epoll and io_uring every event loop gets a listening socket of
     * its own on the address ({@code SO_REUSEPORT}, as nginx's {@code reuseport}): the kernel
     * spreads new clients over them, and each loop serves the clients it accepted, so no accept
     * is handed from one thread to another. On NIO one socket accepts for every loop.
     *
     * @throws BindException naming the VIP and address when the address is in use or not local
     */
    public void bind() throws BindException, InterruptedException {
        VipConfig config = settings.config();
        InetSocketAddress address = config.bind().toSocketAddress();
        List<EventLoop> loops = new ArrayList<>();
        if (transport.reusePort() != null) {
            group.forEach(e -> loops.add((EventLoop) e));
        }
        List<Channel> bound = new ArrayList<>();
        try {
            if (loops.size() > 1) {
                // Sockets that share a port with SO_REUSEPORT do not see each other as a conflict,
                // so a second process on this VIP's address would silently take half its clients:
                // an ordinary bind first fails, as it should, if anything listens there already.
                address = probe(address);
                for (EventLoop loop : loops) {
                    bound.add(bindOne(loop, address, true));
                }
            } else {
                bound.add(bindOne(group, address, false));
            }
        } catch (BindException e) {
            bound.forEach(c -> c.close().awaitUninterruptibly());
            throw e;
        }
        serverChannels = List.copyOf(bound);
        reserve = DescriptorReserve.open();
    }

    /** Binds one listening socket on {@code address}, its clients served by {@code loops}. */
    private Channel bindOne(EventLoopGroup loops, InetSocketAddress address, boolean reusePort)
            throws BindException, InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(loops)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // Netty turns TCP_NODELAY on for every socket already; SO_KEEPALIVE is left off:
                // idleTimeoutMs closes an idle connection long before the kernel's 2 h probes.
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECV_ALLOCATOR)
                .handler(new AcceptErrors())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("frontend", new FrontendHandler(VipListener.this));
                    }
                });
        if (reusePort) {
            b.option(transport.reusePort(), true);
        }
        ChannelFuture f = b.bind(address).await();
        if (!f.isSuccess()) {
            throw bindFailed(f.cause());
        }
        return f.channel();
    }

    /** Binds {@code address} once without {@code SO_REUSEPORT}; returns it with the port that bind got. */
    private InetSocketAddress probe(InetSocketAddress address) throws BindException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address, 1);
            return new InetSocketAddress(address.getAddress(), probe.getLocalPort());
        } catch (IOException e) {
            throw bindFailed(e);
        }
    }

    private BindException bindFailed(Throwable cause) {
        String why = cause == null ? "unknown error" : describe(cause);
        BindException e = new BindException("cannot bind VIP " + name + " on " + settings.config().bind() + ": " + why);
        e.initCause(cause);
        return e;
    }

    private static String describe(Throwable cause) {
        String m = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("address already in use")) {
            return "address already in use";
        }
        if (m.contains("cannot assign requested address")) {
            return "address not available on this host";
        }
        if (m.contains("permission denied")) {
            return "permission denied (ports below 1024 need privileges)";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** Applies changed settings (not the bind address) to connections accepted from now on. */
    public void update(VipConfig config) {
        Settings s = settings;
        settings = settingsFor(config, s.selector(), s.observer());
    }

    /**
     * Applies changed settings (not the bind address), a new selector and a new connect observer
     * to connections accepted from now on; open connections keep what they started with. Used
     * when a dynamic VIP's strategy, zone affinity, health checks or backends change.
     */
    public void update(VipConfig config, VipSelector selector, ConnectObserver observer) {
        settings = settingsFor(config, selector, observer);
    }

    /** Stops accepting new clients; open connections go on. Idempotent. */
    public void stopAccepting() {
        for (Channel c : serverChannels) {
            c.close().syncUninterruptibly();
        }
        DescriptorReserve r = reserve;
        if (r != null) {
            r.close();
        }
    }

    /**
     * Closes every open client connection (and so its backend connection), and waits up to
     * {@code timeout} for them to close; their access records end with {@code why}
     * ({@code draining} or {@code shutdown}) unless a hard end came first. Not to be called on
     * an event loop.
     *
     * @return whether every one closed in time
     */
    public boolean closeConnections(ConnectionEnd why, long timeout, TimeUnit unit) {
        if (closingBecause == null) {
            closingBecause = Objects.requireNonNull(why, "why");
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<List<ChannelFuture>>> perLoop = new ArrayList<>();
        for (EventExecutor loop : group) {
            try {
                perLoop.add(loop.submit(() -> ConnectionSweeper.closeClientsOf(this)));
            } catch (RejectedExecutionException e) {
                // The loop is shut down, and its channels with it.
            }
        }
        boolean all = true;
        for (Future<List<ChannelFuture>> f : perLoop) {
            if (!f.awaitUninterruptibly(remainingMillis(deadline)) || !f.isSuccess()) {
                all = false;
                continue;
            }
            for (ChannelFuture closed : f.getNow()) {
                all &= closed.awaitUninterruptibly(remainingMillis(deadline));
            }
        }
        return all;
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    ConnectionEnd closingBecause() {
        return closingBecause;
    }

    AccessLog accessLog() {
        return accessLog;
    }

    public boolean isBound() {
        List<Channel> channels = serverChannels;
        return !channels.isEmpty() && channels.stream().allMatch(Channel::isActive);
    }

    /** The bound address (the real port when the VIP asked for port 0), or {@code null} before binding. */
    public InetSocketAddress localAddress() {
        List<Channel> channels = serverChannels;
        return channels.isEmpty() ? null : (InetSocketAddress) channels.get(0).localAddress();
    }

    public String name() {
        return name;
    }

    public VipConfig config() {
        return settings.config();
    }

    /** Open client connections. */
    public int activeConnections() {
        return active.get();
    }

    Settings settings() {
        return settings;
    }

    VipMetrics metrics() {
        return metrics;
    }

    boolean tryAdmit(int max) {
        if (active.incrementAndGet() > max) {
            active.decrementAndGet();
            return false;
        }
        return true;
    }

    /** A connection ended, with both its sockets closed. */
    void release() {
        active.decrementAndGet();
        if (reserveLost) {
            DescriptorReserve r = reserve;
            reserveLost = r != null && !r.reacquire();
        }
    }

    /** A client was refused before reaching a backend: counted, and logged at most every 10 s. */
    void refused(VipMetrics.Rejection reason, Channel client) {
        metrics.rejected(reason);
        switch (reason) {
            case MAX_CONNECTIONS -> refusalLogs.get(reason).warn(
                    "VIP {}: refused client {}: maxConnections ({}) reached", name, client.remoteAddress(),
                    settings.config().maxConnections());
            case CONNECT_FAILED -> refusalLogs.get(reason).warn(
                    "VIP {}: closed client {}: every backend connect failed", name, client.remoteAddress());
            default -> refusalLogs.get(reason).warn("VIP {}: refused client {}: {}", name, client.remoteAddress(),
                    reason.label());
        }
    }

    void refusedNoBackend(Channel client) {
        noBackendLog.warn("VIP {}: closed client {}: no backend is a candidate", name, client.remoteAddress());
    }

    /**
     * A backend connection could not be opened for lack of a local resource: the client is
     * closed and counted, no backend is blamed, and accepting pauses briefly.
     */
    void noResources(Channel client, Throwable cause) {
        metrics.rejected(VipMetrics.Rejection.NO_RESOURCES);
        refusalLogs.get(VipMetrics.Rejection.NO_RESOURCES).warn(
                "VIP {}: closed client {}: cannot open a backend connection: {}; accepting pauses {} ms",
                name, client.remoteAddress(), LocalErrors.describe(cause), ACCEPT_PAUSE_MS);
        pauseAccepting();
    }

    /**
     * Stops accepting on every listening socket for {@link #ACCEPT_PAUSE_MS}, unless already
     * paused: the resource ran short for the whole process, not for one loop.
     */
    private void pauseAccepting() {
        List<Channel> channels = serverChannels;
        if (channels.isEmpty() || !channels.get(0).isActive() || !acceptPaused.compareAndSet(false, true)) {
            return;
        }
        for (Channel c : channels) {
            c.config().setAutoRead(false);
        }
        channels.get(0).eventLoop().schedule(() -> {
            acceptPaused.set(false);
            DescriptorReserve r = reserve;
            if (r != null) {
                reserveLost = !r.reacquire();
            }
            for (Channel c : channels) {
                if (c.isActive()) {
                    c.config().setAutoRead(true);
                }
            }
        }, ACCEPT_PAUSE_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Failures of the listening socket itself, above all an accept that fails for lack of file
     * descriptors: the reserve is freed so that the next client can be accepted and turned away;
     * when there is no reserve to free, accepting pauses rather than spins, with one log line per
     * interval.
     */
    private final class AcceptErrors extends ChannelInboundHandlerAdapter {

        /**
         * A client accepted on the descriptor freed from the reserve is closed here, on the
         * listener's own loop before it is registered anywhere, so that its descriptor is free
         * again and the reserve taken back before the next accept: the backlog is drained one
         * client per accept, each seeing the end of the stream rather than a hang. If something
         * else took the descriptor meanwhile, accepting pauses until the reserve is back.
         */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Channel client) || !shedNext.compareAndSet(true, false)) {
                ctx.fireChannelRead(msg);
                return;
            }
            metrics.rejected(VipMetrics.Rejection.NO_RESOURCES);
            refusalLogs.get(VipMetrics.Rejection.NO_RESOURCES).warn(
                    "VIP {}: turned client {} away: out of file descriptors (EMFILE: raise ulimit -n)",
                    name, client.remoteAddress());
            if (accessLog.enabled()) {
                accessLog.log(new AccessRecord(System.currentTimeMillis(), 0, client.remoteAddress(), name, null,
                        null, "", null, 0, List.of(), -1, 0, 0, ConnectionEnd.NO_RESOURCES));
            }
            client.unsafe().closeForcibly();
            DescriptorReserve r = reserve;
            if (r != null && !r.reacquire()) {
                reserveLost = true;
                pauseAccepting();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            DescriptorReserve r = reserve;
            if (LocalErrors.isDescriptorShortage(cause) && r != null && r.release()) {
                // The next accept takes the freed descriptor, and that client is turned away.
                shedNext.set(true);
                return;
            }
            // The freed descriptor went elsewhere, or the shortage is not of descriptors: pause
            // first, since whatever the log line does, the loop must not spin on this failure.
            if (shedNext.getAndSet(false) || (r != null && !r.isHeld())) {
                reserveLost = true;
            }
            pauseAccepting();
            acceptErrorLog.warn("VIP {}: accepting a client failed: {}; accepting pauses {} ms", name,
                    LocalErrors.describe(cause), ACCEPT_PAUSE_MS);
        }
    }
}
