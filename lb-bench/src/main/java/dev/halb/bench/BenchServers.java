package dev.halb.bench;

import dev.halb.core.config.AdminConfig;
import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.BindAddress;
import dev.halb.core.config.DiscoveryConfig;
import dev.halb.core.config.DrainConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.HealthCheckType;
import dev.halb.core.config.ReplicaConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.proxy.Transport;
import dev.halb.core.replica.Replica;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Backends and an in-process replica for the benchmarks, all on 127.0.0.1. */
final class BenchServers implements AutoCloseable {

    /** What the backend does with what it reads. */
    enum Backend {
        /** Discards everything: relay throughput. */
        SINK,
        /** Writes back what it reads: request and reply. */
        ECHO
    }

    private final EventLoopGroup backendGroup;
    private final Channel backend;
    private final Replica replica;

    BenchServers(Backend mode) throws Exception {
        Transport transport = Transport.select();
        backendGroup = transport.newGroup(1, "bench-backend");
        ChannelHandler handler = mode == Backend.SINK ? new Sink() : new Echo();
        backend = new ServerBootstrap().group(backendGroup).channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(handler);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) backend.localAddress()).getPort();
        BindAddress any = new BindAddress("127.0.0.1", 0);
        VipConfig base = VipConfig.of("bench", any, List.of(new BackendConfig("127.0.0.1", port, "", "", "", 100)));
        VipConfig vip = new VipConfig(base.name(), base.bind(), base.service(), base.strategy(), base.zoneAffinity(), base.regionFailover(),
                base.backends(), new HealthCheckConfig(HealthCheckType.NONE, "/", 0, 1000, 500, 2, 2),
                base.outlierDetection(), base.connectTimeoutMs(), base.connectRetries(), base.idleTimeoutMs(), base.finTimeoutMs(),
                100_000, base.proxyProtocol(), base.allowedBackendCidrs());
        HalbConfig config = new HalbConfig(new ReplicaConfig("bench", "", ""), DiscoveryConfig.DEFAULT,
                new AdminConfig(any, ""), List.of(vip), new DrainConfig(0, 1000));
        replica = Replica.start(config, new Replica.Options(transport, 2));
    }

    InetSocketAddress vip() {
        return replica.vipAddress("bench");
    }

    String transport() {
        return replica.transport().label();
    }

    @Override
    public void close() {
        replica.close();
        backend.close().syncUninterruptibly();
        backendGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private static final class Sink extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static int readFully(java.io.InputStream in, byte[] buf, int n) throws java.io.IOException {
        int off = 0;
        while (off < n) {
            int r = in.read(buf, off, n - off);
            if (r < 0) {
                throw new java.io.EOFException("EOF after " + off + " of " + n + " bytes");
            }
            off += r;
        }
        return off;
    }
}
