package dev.halb.core.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/** {@code tcp}: healthy iff a connect succeeds within the timeout; the connection is closed at once. */
final class TcpHealthChecker implements HealthChecker {

    private final Bootstrap template;
    private final int timeoutMs;

    TcpHealthChecker(EventLoop loop, Class<? extends Channel> channelClass, int timeoutMs) {
        this.timeoutMs = timeoutMs;
        this.template = Probe.template(loop, channelClass, timeoutMs).handler(Ignore.INSTANCE);
    }

    /** Nothing is read: the connection is closed as soon as it is up. */
    @ChannelHandler.Sharable
    private static final class Ignore extends ChannelInboundHandlerAdapter {
        static final Ignore INSTANCE = new Ignore();
    }

    @Override
    public void check(InetSocketAddress target, String host, Result result) {
        new Probe(result, timeoutMs) {
            @Override
            void connected(Channel ch) {
                finish(true, "connected");
            }
        }.start(template, target);
    }
}
