package dev.halb.core.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * Opens backend connections on a given event loop, the client's own, so both channels of a
 * proxied connection share one thread and their handlers need no synchronisation.
 *
 * <p>This is what {@code Bootstrap.clone(loop).handler(h).connect(a)} does, without the per
 * connection copy of the bootstrap's option and attribute maps and without the address
 * resolver: endpoint addresses are resolved when the catalog changes, never here.
 */
final class BackendConnector {

    private final Transport transport;
    private final int connectTimeoutMs;

    BackendConnector(Transport transport, int connectTimeoutMs) {
        this.transport = transport;
        this.connectTimeoutMs = connectTimeoutMs;
    }

    /**
     * Connects to {@code address} with {@code handler} as the backend channel's only handler.
     * Must be called on {@code loop}.
     */
    ChannelFuture connect(EventLoop loop, InetSocketAddress address, ChannelHandler handler) {
        Channel ch = transport.newChannel();
        ChannelConfig config = ch.config();
        config.setConnectTimeoutMillis(connectTimeoutMs);
        config.setWriteBufferWaterMark(VipListener.WATER_MARK);
        config.setRecvByteBufAllocator(VipListener.RECV_ALLOCATOR);
        config.setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        // TCP_NODELAY is on already (Netty's default); no SO_KEEPALIVE, as on the client side.
        ch.pipeline().addLast(handler);
        ChannelFuture registered = loop.register(ch);
        if (registered.isDone()) {
            // NIO and io_uring register at once on the loop's own thread; epoll may not.
            return registered.isSuccess() ? ch.connect(address) : registered;
        }
        ChannelPromise connected = ch.newPromise();
        registered.addListener(f -> {
            if (f.isSuccess()) {
                ch.connect(address, connected);
            } else {
                connected.setFailure(f.cause());
            }
        });
        return connected;
    }
}
