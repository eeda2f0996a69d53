package dev.halb.core.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two clocks of an admin connection, one timer at a time:
 *
 * <ul>
 *   <li><b>request</b>: from connecting, or from the first byte after a response, the client has
 *       {@code requestTimeoutMs} to send a whole request, headers and body. Bytes that keep
 *       trickling in do not restart it, so a slow sender cannot hold the connection (slowloris).
 *       When it runs out while the client is mid-request and nothing of a response is waiting
 *       to be sent, the client gets a 408; otherwise (it sent nothing, or it does not read what
 *       it asked for) the connection is just closed.</li>
 *   <li><b>idle</b>: from a response until the next request's first byte, a keep-alive
 *       connection may stay silent for {@code idleTimeoutMs}, then it is closed without a word
 *       (a 408 then could cross a request the client is sending).</li>
 * </ul>
 *
 * <p>It sits in front of the HTTP codec, so it sees the bytes as they arrive (the codec passes
 * nothing on before the end of the headers) and every response as it leaves: the first write
 * of a response means its request was read (an interim {@code 100 Continue} counts too, so a
 * client that asked for it gets the request timeout once more for its body). The work per read
 * and per write is a field compare; the timer is rescheduled twice per request. Netty's
 * {@code IdleStateHandler} would restart on every read, which is what a slowloris wants, and
 * add a listener to every write.
 */
final class AdminTimeouts extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(AdminTimeouts.class);

    private enum Clock { NONE, REQUEST, IDLE, STOPPED }

    private final long requestTimeoutMs;
    private final long idleTimeoutMs;
    /** Scheduled again for each clock; one task per connection, not one per schedule. */
    private final Runnable expire = this::expired;
    private ChannelHandlerContext ctx;
    private Clock clock = Clock.NONE;
    /** Bytes of a request arrived since the last response started. */
    private boolean requestStarted;
    private ScheduledFuture<?> timer;

    AdminTimeouts(long requestTimeoutMs, long idleTimeoutMs) {
        this.requestTimeoutMs = requestTimeoutMs;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    private void start() {
        if (clock == Clock.NONE) {
            arm(Clock.REQUEST);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (clock == Clock.IDLE) {
            arm(Clock.REQUEST);
        }
        requestStarted = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (clock == Clock.REQUEST) {
            // A response leaves: its request is in. Pipelined requests that came with it are
            // answered at once; a partial one counts from its next byte.
            requestStarted = false;
            arm(Clock.IDLE);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void arm(Clock next) {
        if (timer != null) {
            timer.cancel(false);
        }
        clock = next;
        long ms = next == Clock.REQUEST ? requestTimeoutMs : idleTimeoutMs;
        timer = ctx.executor().schedule(expire, ms, TimeUnit.MILLISECONDS);
    }

    private void stop() {
        clock = Clock.STOPPED;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        if (clock == Clock.STOPPED) {
            return;
        }
        boolean answer = clock == Clock.REQUEST && requestStarted && nothingUnsent() && outputOpen();
        log.debug("admin connection {}: {} timeout, closing", ctx.channel(),
                clock == Clock.REQUEST ? "request" : "idle");
        stop();
        if (answer) {
            // Written from the tail so that it goes through the HTTP encoder.
            ctx.channel().writeAndFlush(AdminResponses.closingError(HttpResponseStatus.REQUEST_TIMEOUT,
                            "request not complete within " + requestTimeoutMs + " ms (headers and body)"))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /** Not after an error that ended the output (AdminResponses.END_OUTPUT). */
    private boolean outputOpen() {
        return !(ctx.channel() instanceof DuplexChannel d) || !d.isOutputShutdown();
    }

    /** Nothing of an earlier response waits in the channel for a client that does not read. */
    private boolean nothingUnsent() {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return out == null || out.totalPendingWriteBytes() == 0;
    }
}
