package dev.halb.core.dns;

import dev.halb.core.config.BindAddress;
import dev.halb.core.config.DnsConfig;
import dev.halb.core.logging.RateLimitedLog;
import dev.halb.core.metrics.DnsMetrics;
import dev.halb.core.proxy.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP and TCP listeners on one address and the DNS group's loops. TCP is bounded so that a
 * client cannot hold the responder: at most {@link #MAX_TCP_CONNECTIONS} at once (more are
 * closed at accept), each closed after {@link #TCP_IDLE_SECONDS} without a query.
 */
final class NettyDnsResponder implements DnsResponder {

    private static final Logger log = LoggerFactory.getLogger(NettyDnsResponder.class);

    static final int MAX_TCP_CONNECTIONS = 256;
    static final int TCP_IDLE_SECONDS = 10;
    /** Room for bursts of queries while the loop is busy; the kernel drops what does not fit. */
    static final int UDP_RECEIVE_BUFFER = 1 << 20;
    private static final int BIND_ATTEMPTS = 5;

    private final Channel udp;
    private final Channel tcp;
    private volatile boolean closed;

    private NettyDnsResponder(Channel udp, Channel tcp) {
        this.udp = udp;
        this.tcp = tcp;
    }

    static DnsResponder start(DnsConfig config, EventLoopGroup group, Transport transport, Supplier<DnsView> view,
                              DnsMetrics metrics) throws BindException {
        BindAddress bind = config.bind();
        Responses responses = new Responses(new DnsAnswers(config.domain(), config.ttlSeconds()), view);
        RateLimitedLog tcpLog = new RateLimitedLog(log);
        UdpQueryHandler udpHandler = new UdpQueryHandler(responses, metrics);
        DatagramDnsResponseEncoder udpEncoder = new DatagramDnsResponseEncoder();
        TcpDnsResponseEncoder tcpEncoder = new TcpDnsResponseEncoder();
        AtomicInteger tcpOpen = new AtomicInteger();
        Bootstrap udpBootstrap = new Bootstrap()
                .group(group)
                .channel(transport.datagramChannelClass())
                .option(ChannelOption.SO_RCVBUF, UDP_RECEIVE_BUFFER)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(udpEncoder, udpHandler);
                    }
                });
        ServerBootstrap tcpBootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tcpOpen.incrementAndGet() > MAX_TCP_CONNECTIONS) {
                            tcpOpen.decrementAndGet();
                            tcpLog.warn("DNS over TCP: {} connections open already; closing {}",
                                    MAX_TCP_CONNECTIONS, ch.remoteAddress());
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> tcpOpen.decrementAndGet());
                        ch.pipeline().addLast(
                                new ReadTimeoutHandler(TCP_IDLE_SECONDS, TimeUnit.SECONDS),
                                // A two-byte length, then the message: at most 65535 bytes by construction.
                                new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2),
                                tcpEncoder,
                                new TcpQueryHandler(responses, metrics, tcpLog));
                    }
                });
        BindException last = null;
        for (int attempt = 0; attempt < (bind.port() == 0 ? BIND_ATTEMPTS : 1); attempt++) {
            ChannelFuture u = udpBootstrap.bind(bind.toSocketAddress()).awaitUninterruptibly();
            if (!u.isSuccess()) {
                throw bindError(bind, "UDP", u.cause());
            }
            int port = ((InetSocketAddress) u.channel().localAddress()).getPort();
            ChannelFuture t = tcpBootstrap.bind(new InetSocketAddress(bind.host(), port)).awaitUninterruptibly();
            if (t.isSuccess()) {
                return new NettyDnsResponder(u.channel(), t.channel());
            }
            u.channel().close().awaitUninterruptibly();
            last = bindError(new BindAddress(bind.host(), port), "TCP", t.cause());
        }
        throw last;
    }

    private static BindException bindError(BindAddress bind, String protocol, Throwable cause) {
        String reason = cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
        BindException e = new BindException("cannot bind DNS (" + protocol + ") on " + bind + ": " + reason);
        e.initCause(cause);
        return e;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) udp.localAddress();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        udp.close().awaitUninterruptibly();
        tcp.close().awaitUninterruptibly();
    }
}
