package dev.halb.core.dns;

import dev.halb.core.config.DnsConfig;
import dev.halb.core.metrics.DnsMetrics;
import dev.halb.core.proxy.Transport;
import io.netty.channel.EventLoopGroup;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/** A running DNS responder: UDP and TCP on one address, answering from the latest {@link DnsView}. */
public interface DnsResponder extends AutoCloseable {

    /**
     * Binds UDP and TCP on {@code config.bind()} (port 0: a free port, the same for both).
     *
     * @param group an event loop group of its own, not the proxy's
     * @param view  the latest view; read once per query, so it must be a field read
     * @throws BindException naming the address when it cannot be bound
     */
    static DnsResponder start(DnsConfig config, EventLoopGroup group, Transport transport, Supplier<DnsView> view,
                              DnsMetrics metrics) throws BindException {
        return NettyDnsResponder.start(config, group, transport, view, metrics);
    }

    /** Where it listens, UDP and TCP. */
    InetSocketAddress localAddress();

    /** Closes both sockets. Idempotent. */
    @Override
    void close();
}
