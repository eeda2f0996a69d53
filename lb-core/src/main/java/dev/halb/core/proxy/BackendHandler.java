package dev.halb.core.proxy;

import dev.halb.core.balance.Endpoint;
import dev.halb.core.metrics.VipMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/** The backend half of a proxied connection: relays backend bytes to the client. */
final class BackendHandler extends RelayHandler {

    private final Endpoint endpoint;
    private final VipMetrics metrics;

    BackendHandler(Channel client, Endpoint endpoint, VipMetrics metrics) {
        this.peer = client;
        this.endpoint = endpoint;
        this.metrics = metrics;
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
