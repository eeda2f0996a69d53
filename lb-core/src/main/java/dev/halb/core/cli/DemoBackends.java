package dev.halb.core.cli;

import dev.halb.core.proxy.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's backends: tiny HTTP servers that answer every request with their name and zone,
 * so that {@code curl} through the VIP shows where each connection went.
 */
final class DemoBackends implements AutoCloseable {

    /** One demo backend. */
    record Spec(String name, String zone, int port) {
    }

    private final EventLoopGroup group = Transport.NIO.newGroup(1, "demo-backend");
    private final List<Channel> channels = new ArrayList<>();

    /** @throws BindException naming the port when it is taken */
    void start(List<Spec> specs) throws BindException, InterruptedException {
        for (Spec spec : specs) {
            ServerBootstrap b = new ServerBootstrap().group(group).channel(Transport.NIO.serverChannelClass())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new Hello(spec));
                        }
                    });
            var f = b.bind(new InetSocketAddress("127.0.0.1", spec.port())).await();
            if (!f.isSuccess()) {
                throw new BindException("cannot start demo backend " + spec.name() + " on 127.0.0.1:" + spec.port()
                        + ": " + f.cause().getMessage());
            }
            channels.add(f.channel());
        }
    }

    @Override
    public void close() {
        channels.forEach(c -> c.close().awaitUninterruptibly());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Hello extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Spec spec;

        Hello(Spec spec) {
            this.spec = spec;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String body = "hello from " + spec.name() + " (zone " + spec.zone() + ", port " + spec.port() + ")\n";
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(r, keepAlive);
            var f = ctx.writeAndFlush(r);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
