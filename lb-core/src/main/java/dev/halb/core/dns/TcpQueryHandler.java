package dev.halb.core.dns;

import dev.halb.core.logging.RateLimitedLog;
import dev.halb.core.metrics.DnsMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the length-prefixed queries of one TCP connection, in order. A message that cannot
 * be answered at all (no header) ends the connection: the stream can no longer be trusted.
 */
final class TcpQueryHandler extends SimpleChannelInboundHandler<ByteBuf> {

    private static final Logger log = LoggerFactory.getLogger(TcpQueryHandler.class);

    private final Responses responses;
    private final DnsMetrics metrics;
    private final RateLimitedLog malformed;

    TcpQueryHandler(Responses responses, DnsMetrics metrics, RateLimitedLog malformed) {
        this.responses = responses;
        this.metrics = metrics;
        this.malformed = malformed;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        Object read = QueryReader.read(frame);
        if (read instanceof QueryReader.Query q) {
            DefaultDnsResponse response = new DefaultDnsResponse(q.id());
            responses.fill(response, q, 0);
            metrics.answered(true, response.code().intValue());
            ctx.write(response, ctx.voidPromise());
        } else if (read instanceof QueryReader.Refused r) {
            malformed.warn("DNS query over TCP from {} answered {}: {}", ctx.channel().remoteAddress(), r.code(),
                    r.reason());
            DefaultDnsResponse response = new DefaultDnsResponse(r.id(), r.opCode() == null ? DnsOpCode.QUERY
                    : r.opCode());
            Responses.refused(response, r);
            metrics.answered(true, r.code().intValue());
            ctx.write(response, ctx.voidPromise());
        } else {
            metrics.dropped();
            malformed.warn("DNS over TCP from {}: a message that is not a query; closing",
                    ctx.channel().remoteAddress());
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof io.netty.handler.timeout.ReadTimeoutException) {
            ctx.close(); // an idle client: normal, not worth a line
            return;
        }
        malformed.warn("DNS over TCP from {}: {}; closing", ctx.channel().remoteAddress(), String.valueOf(cause));
        ctx.close();
    }
}
