package dev.halb.core.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP backend on {@code 127.0.0.1:0} with a health path whose answer a test controls: a
 * status ({@link #setHealthStatus}) or no answer at all ({@link #hangHealth}). Every other path
 * is traffic and answers 200 with the backend's name. It counts traffic requests and health
 * requests apart, so a test can tell whether real clients still reach it while it is checked.
 */
public final class HealthCheckedBackend implements AutoCloseable {

    /** {@link #healthStatus} value meaning "read the request, never answer". */
    private static final int HANG = -1;

    private final EventLoopGroup group;
    private final Channel server;
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final String name;
    private final String healthPath;
    private final AtomicInteger trafficRequests = new AtomicInteger();
    private final AtomicInteger healthRequests = new AtomicInteger();
    private volatile int healthStatus = 200;
    private volatile String lastHealthHost;
    private volatile String lastHealthUserAgent;

    private HealthCheckedBackend(String name, String healthPath) {
        this.name = name;
        this.healthPath = healthPath;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-http-backend", true),
                NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        children.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new Handler());
                    }
                });
        this.server = b.bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    /**
     * A backend whose health path answers 200 until told otherwise. It has answered one request
     * (not counted) before this returns, so that a cold JVM's class loading does not make the
     * first health check against it time out.
     */
    public static HealthCheckedBackend start(String name, String healthPath) {
        HealthCheckedBackend b = new HealthCheckedBackend(name, healthPath);
        b.warmUp();
        return b;
    }

    private void warmUp() {
        try (java.net.Socket s = Clients.connect(new InetSocketAddress("127.0.0.1", port()))) {
            s.getOutputStream().write(("GET /warm-up HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Clients.readToEnd(s.getInputStream());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        trafficRequests.set(0);
    }

    public void setHealthStatus(int status) {
        healthStatus = status;
    }

    /** From now on health requests are read and never answered. */
    public void hangHealth() {
        healthStatus = HANG;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String name() {
        return name;
    }

    public int trafficRequests() {
        return trafficRequests.get();
    }

    public int healthRequests() {
        return healthRequests.get();
    }

    public String lastHealthHost() {
        return lastHealthHost;
    }

    public String lastHealthUserAgent() {
        return lastHealthUserAgent;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        children.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean health = new QueryStringDecoder(request.uri()).path().equals(healthPath);
            int status;
            if (health) {
                healthRequests.incrementAndGet();
                lastHealthHost = request.headers().get(HttpHeaderNames.HOST);
                lastHealthUserAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
                status = healthStatus;
                if (status == HANG) {
                    return;
                }
            } else {
                trafficRequests.incrementAndGet();
                status = 200;
            }
            byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status), ctx.alloc().buffer(body.length).writeBytes(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
