package dev.halb.core.dns;

import dev.halb.core.logging.RateLimitedLog;
import dev.halb.core.metrics.DnsMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each datagram on its own: stateless, so one instance serves the socket. Responses are
 * written as they are made and flushed once per read batch (many queries per syscall under load).
 * Garbage is answered FORMERR when it has a header to answer, else dropped; either way at most
 * one log line per interval.
 */
@ChannelHandler.Sharable
final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(UdpQueryHandler.class);

    private final Responses responses;
    private final DnsMetrics metrics;
    private final RateLimitedLog malformed = new RateLimitedLog(log);

    UdpQueryHandler(Responses responses, DnsMetrics metrics) {
        this.responses = responses;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        Object read = QueryReader.read(packet.content());
        if (read instanceof QueryReader.Query q) {
            DatagramDnsResponse response = new DatagramDnsResponse(packet.recipient(), packet.sender(), q.id());
            if (responses.fill(response, q, QueryReader.udpLimit(q, Responses.OUR_UDP_PAYLOAD))) {
                metrics.truncated();
            }
            metrics.answered(false, response.code().intValue());
            ctx.write(response, ctx.voidPromise());
        } else if (read instanceof QueryReader.Refused r) {
            malformed.warn("DNS query from {} answered {}: {}", packet.sender(), r.code(), r.reason());
            DatagramDnsResponse response = new DatagramDnsResponse(packet.recipient(), packet.sender(), r.id(),
                    r.opCode() == null ? DnsOpCode.QUERY : r.opCode());
            Responses.refused(response, r);
            metrics.answered(false, r.code().intValue());
            ctx.write(response, ctx.voidPromise());
        } else {
            metrics.dropped();
            malformed.warn("DNS datagram of {} bytes from {} dropped: not a query", packet.content().readableBytes(),
                    packet.sender());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A send that failed (an unreachable client, a full buffer): that client's loss only.
        malformed.warn("DNS over UDP: {}", String.valueOf(cause));
    }
}
