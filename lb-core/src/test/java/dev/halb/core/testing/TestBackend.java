package dev.halb.core.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real backend on {@code 127.0.0.1:0}, on NIO with an unpooled allocator so that it never
 * shows up in the proxy's pooled-allocator figures.
 *
 * <ul>
 *   <li>{@link #echo()} writes back what it reads, with backpressure, and answers a FIN with a FIN
 *       after the echo;</li>
 *   <li>{@link #source(long)} sends that many bytes to each client as fast as the client takes them;</li>
 *   <li>{@link #http(int)} answers every HTTP request with that status and its own name.</li>
 * </ul>
 * {@link #accepted()} counts connections; {@link #close()} closes the listener and every connection.
 */
public final class TestBackend implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel server;
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong lastAcceptNanos = new AtomicLong();
    private final String name;
    private volatile int httpStatus;

    private enum Mode { ECHO, SOURCE, HTTP }

    private TestBackend(Mode mode, long sourceBytes, int httpStatus, int port, String name) {
        this.name = name;
        this.httpStatus = httpStatus;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-backend", true),
                NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        lastAcceptNanos.set(System.nanoTime());
                        accepted.incrementAndGet();
                        children.add(ch);
                        switch (mode) {
                            case ECHO -> ch.pipeline().addLast(new Echo());
                            case SOURCE -> ch.pipeline().addLast(new Source(sourceBytes));
                            case HTTP -> ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                    new Http());
                        }
                    }
                });
        try {
            this.server = b.bind("127.0.0.1", port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static TestBackend echo() {
        return new TestBackend(Mode.ECHO, 0, 0, 0, "echo");
    }

    /** An echo backend on a given port (to bring a stopped backend back). */
    public static TestBackend echoOn(int port) {
        return new TestBackend(Mode.ECHO, 0, 0, port, "echo");
    }

    public static TestBackend source(long bytesPerClient) {
        return new TestBackend(Mode.SOURCE, bytesPerClient, 0, 0, "source");
    }

    public static TestBackend http(int status, String name) {
        return new TestBackend(Mode.HTTP, 0, status, 0, name);
    }

    public static TestBackend httpOn(int port, int status, String name) {
        return new TestBackend(Mode.HTTP, 0, status, port, name);
    }

    public void setHttpStatus(int status) {
        this.httpStatus = status;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String name() {
        return name;
    }

    public int accepted() {
        return accepted.get();
    }

    /** {@link System#nanoTime()} when the last connection was accepted; 0 before the first. */
    public long lastAcceptNanos() {
        return lastAcceptNanos.get();
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        children.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                bytesRead.addAndGet(buf.readableBytes());
            }
            ctx.write(msg);
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                        .addListener(f -> ((DuplexChannel) ctx.channel()).shutdownOutput()
                                .addListener(ChannelFutureListener.CLOSE));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final class Source extends ChannelInboundHandlerAdapter {
        private static final int CHUNK = 64 * 1024;
        private long remaining;

        Source(long bytes) {
            this.remaining = bytes;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            pump(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx);
        }

        private void pump(ChannelHandlerContext ctx) {
            while (remaining > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(CHUNK, remaining);
                ByteBuf buf = ctx.alloc().buffer(n);
                buf.writerIndex(n); // contents do not matter, only the count
                remaining -= n;
                ctx.write(buf);
            }
            ctx.flush();
            if (remaining == 0) {
                remaining = -1;
                ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private final class Http extends io.netty.channel.SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(httpStatus), ctx.alloc().buffer().writeBytes(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
