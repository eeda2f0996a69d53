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
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * The admin HTTP server. Runs on its own small event loop group so a saturated data path does
 * not starve health checks from DNS.
 *
 * <p>It is reachable by whoever reaches its port, so no client can hold more of it than a
 * request's worth: a request must arrive whole within the request timeout, a keep-alive
 * connection may idle for the idle timeout, and at most {@code maxConnections} are open at once
 * (see {@link AdminTimeouts} and {@link AdminConnectionLimit}). Otherwise 20 000 clients that
 * connect and say nothing would take the process's file descriptors, the VIPs' with them.
 */
public final class AdminServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    static final long REQUEST_TIMEOUT_MS = 10_000;
    static final long IDLE_TIMEOUT_MS = 60_000;
    static final int MAX_CONNECTIONS = 256;
    static final int MAX_REQUEST_LINE_BYTES = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    static final int MAX_BODY_BYTES = 64 * 1024;
    /**
     * A connection becomes unwritable when more than the high mark of its answers wait unsent,
     * and {@link AdminHandler} then closes it rather than answer more (see there). 1 MiB lets a
     * client pipeline a few large answers, such as {@code /metrics} of a big replica.
     */
    static final WriteBufferWaterMark UNREAD_ANSWERS = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);

    private final AdminConfig config;
    private final AdminModel model;
    private final EventLoopGroup group;
    private final Transport transport;
    private final long requestTimeoutMs;
    private final long idleTimeoutMs;
    private final AdminConnectionLimit connections;
    private Channel channel;

    /**
     * With the default limits: {@value #REQUEST_TIMEOUT_MS} ms for a request,
     * {@value #IDLE_TIMEOUT_MS} ms of keep-alive idleness, {@value #MAX_CONNECTIONS} connections.
     */
    public AdminServer(AdminConfig config, AdminModel model, EventLoopGroup group, Transport transport) {
        this(config, model, group, transport, REQUEST_TIMEOUT_MS, IDLE_TIMEOUT_MS, MAX_CONNECTIONS);
    }

    /**
     * @param requestTimeoutMs from connecting, or from a request's first byte after a response:
     *                         the time to send the whole request, headers and body
     * @param idleTimeoutMs    the longest a keep-alive connection may wait between a response
     *                         and the next request's first byte
     * @param maxConnections   admin connections open at once; more are closed when accepted
     */
    AdminServer(AdminConfig config, AdminModel model, EventLoopGroup group, Transport transport,
                long requestTimeoutMs, long idleTimeoutMs, int maxConnections) {
        if (requestTimeoutMs <= 0) {
            throw new IllegalArgumentException("requestTimeoutMs: " + requestTimeoutMs + " (expected: > 0)");
        }
        if (idleTimeoutMs <= 0) {
            throw new IllegalArgumentException("idleTimeoutMs: " + idleTimeoutMs + " (expected: > 0)");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
        }
        this.config = config;
        this.model = model;
        this.group = group;
        this.transport = transport;
        this.requestTimeoutMs = requestTimeoutMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.connections = new AdminConnectionLimit(maxConnections, group);
    }

    /** @throws BindException naming the address when it cannot be bound */
    public void start() throws BindException, InterruptedException {
        AdminHandler handler = new AdminHandler(model, config.token());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, UNREAD_ANSWERS)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!connections.admit(ch)) {
                            return;
                        }
                        // Timeouts in front of the codec: they must see bytes before a request is
                        // whole, and every response, whichever handler writes it.
                        ch.pipeline().addLast("timeouts", new AdminTimeouts(requestTimeoutMs, idleTimeoutMs));
                        ch.pipeline().addLast("codec",
                                new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, 8192));
                        ch.pipeline().addLast("aggregator", new AdminAggregator(MAX_BODY_BYTES));
                        // No HttpServerKeepAliveHandler: AdminHandler decides keep-alive per
                        // request, and that handler would close where an error needs a
                        // lingering close (AdminResponses.END_OUTPUT).
                        ch.pipeline().addLast("handler", handler);
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

    /** Admin connections open now. */
    int openConnections() {
        return connections.open();
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
