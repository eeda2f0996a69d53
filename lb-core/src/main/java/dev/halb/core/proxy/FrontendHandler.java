package dev.halb.core.proxy;

import dev.halb.core.balance.Endpoint;
import dev.halb.core.config.ProxyProtocol;
import dev.halb.core.metrics.VipMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The client half of a proxied connection. On accept it admits the client (or refuses it beyond
 * {@code maxConnections}), picks a backend, connects to it on the client's own event loop, and
 * retries on another backend after a refused or timed out connect. Once connected it relays
 * client bytes to the backend.
 *
 * <p>The client channel starts with {@code autoRead} off, yet io_uring and epoll can still
 * deliver a first read and a FIN before the backend is up. Those are held here and passed on,
 * in order, once it is, so a client that writes and half-closes at once is served whole.
 */
final class FrontendHandler extends RelayHandler implements ChannelFutureListener {

    private final VipListener vip;
    private final VipListener.Settings settings;
    private final VipMetrics metrics;

    private ChannelHandlerContext ctx;
    private boolean admitted;
    /** The endpoint being connected to, and its backend handler; {@code null} once connected or given up. */
    private Endpoint connecting;
    private BackendHandler connectingHandler;
    private long connectStartNanos;
    private Endpoint[] tried;
    private int triedCount;
    /** Bytes (and a FIN) the client sent before the backend was up. */
    private ArrayDeque<Object> held;
    private boolean heldInputShutdown;

    FrontendHandler(VipListener vip) {
        this.vip = vip;
        // Settings are read once per connection: a changed VIP applies to new connections.
        this.settings = vip.settings();
        this.metrics = vip.metrics();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel client = ctx.channel();
        if (!vip.tryAdmit(settings.config().maxConnections())) {
            metrics.rejected(VipMetrics.Rejection.MAX_CONNECTIONS);
            client.close();
            return;
        }
        admitted = true;
        metrics.connectionOpened();
        vip.track(client);
        Endpoint first = settings.selector().pick(client.remoteAddress());
        if (first == null) {
            metrics.noBackend();
            client.close();
            return;
        }
        connect(first);
    }

    private void connect(Endpoint endpoint) {
        endpoint.connectionOpened();
        connecting = endpoint;
        connectStartNanos = System.nanoTime();
        connectingHandler = new BackendHandler(endpoint, metrics);
        settings.connector().connect(ctx.channel().eventLoop(), endpoint.address(), connectingHandler)
                .addListener(this);
    }

    /** The backend connect finished. Runs on the client's event loop. */
    @Override
    public void operationComplete(ChannelFuture future) {
        Endpoint endpoint = connecting;
        BackendHandler backendHandler = connectingHandler;
        connecting = null;
        connectingHandler = null;
        Channel client = ctx.channel();
        if (future.isSuccess()) {
            settings.observer().connectSucceeded(endpoint);
            metrics.connectSucceeded(endpoint.backend(), System.nanoTime() - connectStartNanos);
            metrics.zoneConnection(endpoint.zone());
            Channel backend = future.channel();
            if (!client.isActive()) {
                backend.close();
                return;
            }
            backendHandler.connected(client);
            connected(backend);
            return;
        }
        endpoint.connectionClosed();
        metrics.connectFailed(endpoint.backend());
        settings.observer().connectFailed(endpoint);
        if (!client.isActive()) {
            return;
        }
        if (tried == null) {
            tried = new Endpoint[settings.config().connectRetries() + 1];
        }
        tried[triedCount++] = endpoint;
        Endpoint next = triedCount < tried.length
                ? settings.selector().pickExcluding(client.remoteAddress(), tried, triedCount)
                : null;
        if (next == null) {
            metrics.rejected(VipMetrics.Rejection.CONNECT_FAILED);
            client.close();
            return;
        }
        connect(next);
    }

    private void connected(Channel backend) {
        peer = backend;
        ProxyProtocol proxyProtocol = settings.config().proxyProtocol();
        if (proxyProtocol != ProxyProtocol.OFF) {
            ProxyHeaders.write(proxyProtocol, ctx.channel(), backend);
        }
        ArrayDeque<Object> early = held;
        held = null;
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
            resumeReading(ctx.channel());
        } // else the backend's writability change resumes the client

    }

    @Override
    void hold(ChannelHandlerContext ctx, Object msg) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(msg);
    }

    @Override
    void holdInputShutdown(ChannelHandlerContext ctx) {
        heldInputShutdown = true;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held = null;
        }
        if (admitted) {
            admitted = false;
            vip.release();
            metrics.connectionClosed();
        }
        // A connect still under way finds the client inactive in operationComplete and closes.
        super.channelInactive(ctx);
    }

    @Override
    void reportBytes(long bytes) {
        metrics.bytesClientToBackend(bytes);
    }
}
