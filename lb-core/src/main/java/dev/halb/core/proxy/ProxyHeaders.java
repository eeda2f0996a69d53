package dev.halb.core.proxy;

import dev.halb.core.config.ProxyProtocol;
import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** Writes a PROXY protocol header (HAProxy's v1 text or v2 binary) as a backend's first bytes. */
final class ProxyHeaders {

    private ProxyHeaders() {
    }

    /** Writes (without flushing) the header describing {@code client} to {@code backend}. */
    static void write(ProxyProtocol version, Channel client, Channel backend) {
        InetSocketAddress source = (InetSocketAddress) client.remoteAddress();
        InetSocketAddress destination = (InetSocketAddress) client.localAddress();
        boolean v6 = source.getAddress() instanceof Inet6Address;
        HAProxyMessage message = new HAProxyMessage(
                version == ProxyProtocol.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2,
                HAProxyCommand.PROXY,
                v6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4,
                source.getAddress().getHostAddress(), destination.getAddress().getHostAddress(),
                source.getPort(), destination.getPort());
        // The encoder is @Sharable and stateless; it stays in the pipeline for this one message.
        backend.pipeline().addFirst(HAProxyMessageEncoder.INSTANCE);
        backend.write(message, backend.voidPromise());
        backend.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
    }
}
