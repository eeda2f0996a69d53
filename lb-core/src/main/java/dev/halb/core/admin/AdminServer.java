package dev.halb.core.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.halb.core.config.AdminConfig;
import dev.halb.core.proxy.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * The admin HTTP server. Runs on its own small event loop group so a saturated data path does
 * not starve health checks from DNS.
 */
public final class AdminServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final AdminConfig config;
    private final AdminModel model;
    private final EventLoopGroup group;
    private final Transport transport;
    private Channel channel;

    public AdminServer(AdminConfig config, AdminModel model, EventLoopGroup group, Transport transport) {
        this.config = config;
        this.model = model;
        this.group = group;
        this.transport = transport;
    }

    /** @throws BindException naming the address when it cannot be bound */
    public void start() throws BindException, InterruptedException {
        AdminHandler handler = new AdminHandler(model, config.token());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192));
                        ch.pipeline().addLast(new HttpServerKeepAliveHandler());
                        ch.pipeline().addLast(new HttpObjectAggregator(64 * 1024));
                        ch.pipeline().addLast(handler);
                    }
                });
        ChannelFuture f = b.bind(config.bind().toSocketAddress()).await();
        if (!f.isSuccess()) {
            String why = f.cause() == null ? "unknown error" : String.valueOf(f.cause().getMessage());
            if (why.toLowerCase(java.util.Locale.ROOT).contains("address already in use")) {
                why = "address already in use";
            }
            BindException e = new BindException("cannot bind admin API on " + config.bind() + ": " + why);
            e.initCause(f.cause());
            throw e;
        }
        channel = f.channel();
    }

    public InetSocketAddress localAddress() {
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }
}
