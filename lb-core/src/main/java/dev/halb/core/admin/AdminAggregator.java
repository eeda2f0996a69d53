package dev.halb.core.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator with the admin API's own error bodies: the stock one answers a body over
 * the limit, or an {@code Expect} it cannot meet, with an empty 413 or 417, which a script
 * cannot tell from a proxy's. Each of these ends the connection: the admin API has no use for a
 * client that sends 64 KiB to it. After a 413 the rest of the body is read and dropped until the
 * client closes ({@link AdminResponses#END_OUTPUT}); after an expectation that failed, the
 * client has not sent its body and the connection is closed at once.
 */
final class AdminAggregator extends HttpObjectAggregator {

    private final int maxBodyBytes;

    AdminAggregator(int maxBodyBytes) {
        super(maxBodyBytes, true);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        ctx.writeAndFlush(tooLarge()).addListener(AdminResponses.END_OUTPUT);
    }

    /**
     * Called for every request; {@code super} answers {@code 100 Continue}, a 413 when the
     * announced body is too large, or a 417 for an expectation other than 100-continue. The
     * errors are replaced; {@code closeOnExpectationFailed} (set above) closes after them.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(response instanceof HttpResponse r) || r.status().code() < 400) {
            return response;
        }
        HttpResponseStatus status = r.status();
        ReferenceCountUtil.release(response);
        if (status.code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            return tooLarge();
        }
        return AdminResponses.closingError(HttpResponseStatus.EXPECTATION_FAILED,
                "unsupported Expect header (expected: none, or 100-continue)");
    }

    private Object tooLarge() {
        return AdminResponses.closingError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "request body too large (expected: at most " + maxBodyBytes + " bytes)");
    }
}
