package dev.halb.core.proxy;

import dev.halb.core.accesslog.AccessLog;
import dev.halb.core.accesslog.AccessRecord;
import dev.halb.core.accesslog.ConnectionEnd;
import dev.halb.core.system.LocalErrors;
import dev.halb.core.balance.Endpoint;
import dev.halb.core.balance.ZoneRouting;
import dev.halb.core.config.ProxyProtocol;
import dev.halb.core.metrics.VipMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client half of a proxied connection, and the connection itself. On accept it admits the
 * client (or refuses it beyond {@code maxConnections}), picks a backend, connects to it on the
 * client's own event loop, and retries on another backend after a refused or timed out connect.
 * Once connected it relays client bytes to the backend.
 *
 * <p>The client channel starts with {@code autoRead} off (NIO reads once its connect is under
 * way): bytes (up to {@link #HOLD_LIMIT}) and a FIN that arrive before the backend is up are held
 * here and passed on, in order, once it is, so a client that writes and half-closes at once is
 * served whole. A client that resets while its backend connect is under way cancels the connect:
 * the backend gets no connection and the attempt counts neither as a success nor as a failure.
 *
 * <p>The connection's timeouts are checked by its event loop's {@link ConnectionSweeper}: idle
 * ({@code idleTimeoutMs} without a byte either way), half-closed ({@code finTimeoutMs} without a
 * byte once either side sent its FIN), and closing (one side closed: the other gets at most
 * {@code finTimeoutMs} to take its queued bytes). A half-closed or closing connection that has
 * moved no byte for two sweeps also has its sockets asked for a reset the transport did not
 * report. It holds its {@code maxConnections} slot until both of its channels are closed.
 *
 * <p>When it ends (both channels closed) it hands one record to the access log, built from fields
 * kept on the way: the pick, the connects tried, each side's byte count and how it ended (see
 * {@link ConnectionEnd}: the first hard end, else the first FIN). With the access log off, the
 * only extra work per connection is a field test.
 */
final class FrontendHandler extends RelayHandler implements ChannelFutureListener {

    private final VipListener vip;
    private final VipListener.Settings settings;
    private final VipMetrics metrics;
    private final AccessLog accessLog;

    private ChannelHandlerContext ctx;
    private boolean admitted;
    /** The endpoint being connected to, and its backend handler; {@code null} once connected or given up. */
    private Endpoint connecting;
    private BackendHandler connectingHandler;
    private Channel connectingChannel;
    /** The client left while a connect was under way. */
    private boolean connectCancelled;
    private long connectStartNanos;
    private Endpoint[] tried;
    private int triedCount;
    /** Bytes (and a FIN) the client sent before the backend was up. */
    private ArrayDeque<Object> held;
    private long heldBytes;
    private boolean heldInputShutdown;
    /** The most a client may send before its backend is up; then reading pauses until it is. */
    static final long HOLD_LIMIT = 64 * 1024;
    /**
     * How long a closing connection may go without a byte before each sweep asks its sockets for
     * a reset the transport did not report (see {@link RelayHandler#resetPending}): two sweeps, so
     * that a connection whose peer answers promptly is never asked. With a {@code finTimeoutMs}
     * this short or shorter the fin timeout comes first.
     */
    private static final long RESET_PROBE_MS = 2 * ConnectionSweeper.PERIOD_MS;

    // Timeouts, checked by the sweeper; times are the sweeper's milliseconds.
    private ConnectionSweeper sweeper;
    FrontendHandler sweepPrev;
    FrontendHandler sweepNext;
    private long lastActivity;
    private boolean halfClosed;
    private long closeDeadline = Long.MAX_VALUE;
    /** Channels of this connection still open: the client's, and the backend's once connected. */
    private int openSides;

    // For the access log; start times are read only when it is on.
    private long startMillis;
    private long startNanos;
    /** The zone routing the first pick saw. */
    private ZoneRouting pickRouting;
    private int attempts;
    /** The backend connected to, and how long that connect took; {@code null} and -1 until then. */
    private Endpoint served;
    private long connectNanos = -1;
    private ConnectionEnd end;
    /** {@link #end} is a hard end (reset, timeout, refusal): a later FIN does not replace it. */
    private boolean hardEnd;
    /** The side whose channel closed first. */
    private RelayHandler firstClosed;

    FrontendHandler(VipListener vip) {
        this.vip = vip;
        // Settings are read once per connection: a changed VIP applies to new connections.
        this.settings = vip.settings();
        this.metrics = vip.metrics();
        this.accessLog = vip.accessLog();
        this.connection = this;
    }

    VipListener vip() {
        return vip;
    }

    @Override
    Channel channel() {
        return ctx == null ? null : ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel client = ctx.channel();
        if (accessLog.enabled()) {
            startMillis = System.currentTimeMillis();
            startNanos = System.nanoTime();
        }
        if (!vip.tryAdmit(settings.config().maxConnections())) {
            vip.refused(VipMetrics.Rejection.MAX_CONNECTIONS, client);
            // Never admitted, so never finished: logged here.
            ended(ConnectionEnd.MAX_CONNECTIONS, true);
            if (accessLog.enabled()) {
                logRecord();
            }
            client.close();
            return;
        }
        admitted = true;
        openSides = 1;
        metrics.connectionOpened();
        sweeper = ConnectionSweeper.of(client.eventLoop());
        sweeper.add(this);
        lastActivity = sweeper.now;
        if (accessLog.enabled()) {
            pickRouting = settings.selector().zoneRouting();
        }
        Endpoint first = settings.selector().pick(client.remoteAddress());
        if (first == null) {
            ended(ConnectionEnd.NO_BACKEND, true);
            metrics.noBackend();
            vip.refusedNoBackend(client);
            client.close();
            return;
        }
        connect(first);
        if (connectingChannel != null && !(client instanceof UnixChannel)) {
            // NIO: read while connecting, so that a client who resets meanwhile is noticed and its
            // connect cancelled; what it sends is held (up to HOLD_LIMIT) until the backend is up.
            // io_uring and epoll see the reset without reading (they watch for the peer's hang-up),
            // and on io_uring a read left pending here kept the socket alive after it was closed.
            client.config().setAutoRead(true);
        }
    }

    private void connect(Endpoint endpoint) {
        endpoint.connectionOpened();
        attempts++;
        connecting = endpoint;
        connectStartNanos = System.nanoTime();
        connectingHandler = new BackendHandler(endpoint, metrics);
        ChannelFuture f;
        try {
            f = settings.connector().connect(ctx.channel().eventLoop(), endpoint.address(), connectingHandler);
        } catch (RuntimeException e) {
            // Opening the socket failed (no descriptors left, say): this replica's problem.
            connecting = null;
            connectingHandler = null;
            endpoint.connectionClosed();
            noResources(e);
            return;
        }
        connectingChannel = f.channel();
        f.addListener(this);
    }

    /** The backend connect finished. Runs on the client's event loop. */
    @Override
    public void operationComplete(ChannelFuture future) {
        Endpoint endpoint = connecting;
        BackendHandler backendHandler = connectingHandler;
        connecting = null;
        connectingHandler = null;
        connectingChannel = null;
        Channel client = ctx.channel();
        if (connectCancelled || !client.isActive()) {
            // The client left first: not the backend's doing, and not a connection to it.
            if (future.isSuccess()) {
                future.channel().close(); // its channelInactive releases the endpoint
            } else {
                endpoint.connectionClosed();
            }
            return;
        }
        if (future.isSuccess()) {
            long nanos = System.nanoTime() - connectStartNanos;
            served = endpoint;
            connectNanos = nanos;
            settings.observer().connectSucceeded(endpoint);
            metrics.connectSucceeded(endpoint.backend(), nanos);
            metrics.zoneConnection(endpoint.zone());
            metrics.regionConnection(endpoint.region());
            backendHandler.connected(client, this);
            connected(future.channel(), backendHandler);
            return;
        }
        endpoint.connectionClosed();
        // Not every transport closes the socket of a failed connect (io_uring does not).
        future.channel().close();
        Throwable cause = future.cause();
        if (LocalErrors.isLocalResourceError(cause)) {
            noResources(cause);
            return;
        }
        metrics.connectFailed(endpoint.backend());
        settings.observer().connectFailed(endpoint);
        if (tried == null) {
            tried = new Endpoint[settings.config().connectRetries() + 1];
        }
        tried[triedCount++] = endpoint;
        Endpoint next = triedCount < tried.length
                ? settings.selector().pickExcluding(client.remoteAddress(), tried, triedCount)
                : null;
        if (next == null) {
            ended(ConnectionEnd.CONNECT_FAILED, true);
            vip.refused(VipMetrics.Rejection.CONNECT_FAILED, client);
            client.close();
            return;
        }
        connect(next);
    }

    /** A backend connect failed for a reason of this replica's own: close the client, blame no backend. */
    private void noResources(Throwable cause) {
        ended(ConnectionEnd.NO_RESOURCES, true);
        vip.noResources(ctx.channel(), cause);
        ctx.channel().close();
    }

    private void connected(Channel backend, BackendHandler backendHandler) {
        peer = backend;
        peerHandler = backendHandler;
        openSides++;
        ProxyProtocol proxyProtocol = settings.config().proxyProtocol();
        if (proxyProtocol != ProxyProtocol.OFF) {
            ProxyHeaders.write(proxyProtocol, ctx.channel(), backend);
        }
        ArrayDeque<Object> early = held;
        held = null;
        heldBytes = 0;
        if (early != null) {
            Object msg;
            while ((msg = early.poll()) != null) {
                channelRead(ctx, msg);
            }
        }
        channelReadComplete(ctx);
        if (heldInputShutdown) {
            inputShutdown(ctx);
        } else if (backend.isWritable()) {
            resumeReading();
        } // else the backend's writability change resumes the client
    }

    @Override
    void hold(ChannelHandlerContext ctx, Object msg) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(msg);
        if (msg instanceof ByteBuf b) {
            heldBytes += b.readableBytes();
        }
        if (heldBytes >= HOLD_LIMIT) {
            ctx.channel().config().setAutoRead(false);
        } else if (!ctx.channel().config().isAutoRead()) {
            // io_uring delivered this read on its own (the client's hang-up woke it) and stops
            // once the socket is empty, before it has seen the reset or FIN behind the bytes:
            // one more read finds it.
            ctx.read();
        }
    }

    @Override
    void holdInputShutdown(ChannelHandlerContext ctx) {
        ended(ConnectionEnd.CLIENT_FIN, false);
        heldInputShutdown = true;
    }

    /**
     * How this connection ends, for the access log: a hard end (reset, timeout, refusal, halb
     * closing it) replaces a FIN seen before it, and the first hard end stays.
     */
    void ended(ConnectionEnd why, boolean hard) {
        if (hardEnd || (end != null && !hard)) {
            return;
        }
        end = why;
        hardEnd = hard;
    }

    /** Bytes moved: a field write, the sweeper's clock being read once per sweep. */
    void activity() {
        lastActivity = sweeper.now;
    }

    /** A side sent its FIN: from now on the connection lives only while bytes move. */
    void halfClosed() {
        if (!halfClosed) {
            halfClosed = true;
            lastActivity = sweeper.now;
        }
    }

    /** One of this connection's channels closed; the other gets at most finTimeoutMs more. */
    void sideClosed(RelayHandler side) {
        if (sweeper == null) {
            return;
        }
        if (firstClosed == null) {
            firstClosed = side;
        }
        long deadline = sweeper.now + settings.config().finTimeoutMs();
        if (deadline < closeDeadline) {
            closeDeadline = deadline;
        }
        if (--openSides == 0) {
            finished();
        }
    }

    /** Resets both channels: the connection ends now, queued bytes dropped. */
    void abortBoth() {
        broken = true;
        if (peerHandler != null) {
            peerHandler.broken = true;
        }
        abort(peer);
        abort(ctx.channel());
    }

    /** Checks this connection's timeouts; called by the sweeper on the event loop. */
    void sweep(long now, boolean memoryOk) {
        if (now >= closeDeadline) {
            ended(ConnectionEnd.FIN_TIMEOUT, true);
            abortBoth();
            return;
        }
        long limit = halfClosed ? settings.config().finTimeoutMs() : settings.config().idleTimeoutMs();
        if (now - lastActivity >= limit) {
            if (halfClosed) {
                ended(ConnectionEnd.FIN_TIMEOUT, true);
                abortBoth();
            } else {
                // Idle: an orderly close of the client; closing it closes the backend after its writes.
                ended(ConnectionEnd.IDLE_TIMEOUT, true);
                ctx.channel().close();
            }
            return;
        }
        if (quietWhileClosing(now) && unreportedReset()) {
            return;
        }
        if (memoryOk) {
            resumeIfMemoryBack();
            if (peerHandler != null) {
                peerHandler.resumeIfMemoryBack();
            }
        }
    }

    /** Half-closed or closing, not broken, and no byte for {@link #RESET_PROBE_MS}. */
    private boolean quietWhileClosing(long now) {
        return (halfClosed || closeDeadline != Long.MAX_VALUE) && !broken && now - lastActivity >= RESET_PROBE_MS;
    }

    /** Handles a reset that reached either socket unreported, as a read would have; true if one had. */
    private boolean unreportedReset() {
        return resetPending(ctx.channel()) || resetPending(peer);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held = null;
        }
        if (connectingChannel != null) {
            // Cancel the connect under way; operationComplete sees the flag and blames no one.
            connectCancelled = true;
            connectingChannel.close();
        }
        super.channelInactive(ctx);
    }

    /** Both channels are closed: release the slot. */
    private void finished() {
        sweeper.remove(this);
        if (admitted) {
            admitted = false;
            vip.release();
            metrics.connectionClosed();
        }
        if (accessLog.enabled()) {
            logRecord();
        }
    }

    /** Builds this connection's one access record and hands it over; runs once, when it ends or is refused. */
    private void logRecord() {
        ConnectionEnd why = end;
        ConnectionEnd closing = vip.closingBecause();
        if (closing != null && !hardEnd) {
            // halb closed what was still open when a drain ran out of time or the replica stopped.
            why = closing;
        } else if (why == null) {
            why = firstClosed == peerHandler && peerHandler != null ? ConnectionEnd.BACKEND_FIN : ConnectionEnd.CLIENT_FIN;
        }
        List<String> failed;
        if (triedCount == 0) {
            failed = List.of();
        } else {
            String[] ids = new String[triedCount];
            for (int i = 0; i < triedCount; i++) {
                ids[i] = tried[i].id();
            }
            failed = List.of(ids);
        }
        Endpoint e = served;
        String pick = pickRouting == null ? null
                : PickLabels.of(settings.selector().strategy(), pickRouting, e != null ? e : lastTried());
        Channel client = ctx.channel();
        accessLog.log(new AccessRecord(startMillis, System.nanoTime() - startNanos, client.remoteAddress(),
                vip.name(), e == null ? null : e.id(), e == null ? null : e.address(), e == null ? "" : e.zone(),
                pick, attempts, failed, connectNanos, relayedBytes, peerHandler == null ? 0 : peerHandler.relayedBytes,
                why));
    }

    private Endpoint lastTried() {
        return triedCount == 0 ? null : tried[triedCount - 1];
    }

    @Override
    void reportBytes(long bytes) {
        metrics.bytesClientToBackend(bytes);
    }
}
