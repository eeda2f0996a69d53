package dev.halb.core.proxy;

import dev.halb.core.balance.Endpoint;
import dev.halb.core.metrics.VipMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/** The backend half of a proxied connection: relays backend bytes to the client. */
final class BackendHandler extends RelayHandler {

    private final Endpoint endpoint;
    private final VipMetrics metrics;
    private Channel channel;

    /**
     * The client becomes the peer only once the connect succeeded: a failed connect can still
     * deliver events here (epoll reports the refused socket's hang-up as an input shutdown), and
     * those must not reach the client, which is about to be retried on another backend.
     */
    BackendHandler(Endpoint endpoint, VipMetrics metrics) {
        this.endpoint = endpoint;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    Channel channel() {
        return channel;
    }

    void connected(Channel client, FrontendHandler frontend) {
        this.peer = client;
        this.peerHandler = frontend;
        this.connection = frontend;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Opened when the endpoint was picked; a connect that failed was released by the frontend.
        endpoint.connectionClosed();
        super.channelInactive(ctx);
    }

    @Override
    void reportBytes(long bytes) {
        metrics.bytesBackendToClient(bytes);
    }
}
