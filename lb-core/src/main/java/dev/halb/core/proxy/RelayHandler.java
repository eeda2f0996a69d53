package dev.halb.core.proxy;

import dev.halb.core.accesslog.ConnectionEnd;
import dev.halb.core.system.LocalErrors;
import dev.halb.core.logging.RateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.NotYetConnectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One half of a proxied connection: reads from its own channel and writes to {@link #peer}.
 * Both halves of a connection run on the same event loop, so these fields need no
 * {@code volatile}.
 *
 * <ul>
 *   <li>Backpressure: bytes are written in {@code channelRead} and flushed in
 *       {@code channelReadComplete}; while the peer is not writable (its outbound buffer is above
 *       the high water mark) this side stops reading, and the peer's handler resumes it in
 *       {@code channelWritabilityChanged}. While direct memory is short no side reads at all
 *       (see {@link DirectMemory}).</li>
 *   <li>Half-close: a FIN read here becomes {@code shutdownOutput} on the peer once every byte
 *       before it has been written; a channel whose input and output are both shut is closed.
 *       From the first FIN on, the connection is closed after {@code finTimeoutMs} without bytes
 *       moving.</li>
 *   <li>Close: when this channel closes cleanly (both FINs, idle timeout), the peer is flushed and
 *       closed, and gets at most {@code finTimeoutMs} for that. When it breaks (reset, any I/O
 *       error) the peer is aborted at once with a reset, its queued bytes dropped, and nothing
 *       more is read from either.</li>
 * </ul>
 */
abstract class RelayHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RelayHandler.class);
    private static final RateLimitedLog unexpected = new RateLimitedLog(log);
    private static final RateLimitedLog memoryShort = new RateLimitedLog(log);

    /**
     * The most a side may have queued towards its peer before a read beyond it counts as over
     * the connection's bound: the high water mark plus one read of the largest size.
     */
    static final long QUEUE_BOUND = VipListener.WATER_MARK.high() + VipListener.MAX_READ;

    /**
     * After the peer's pending writes are out, shut its output, then close it if its input is
     * shut too. Shared by every connection: it reads all it needs from the future.
     */
    private static final ChannelFutureListener SHUTDOWN_OUTPUT = f -> shutdownOutputNow(f.channel());

    private static final ChannelFutureListener AFTER_SHUTDOWN_OUTPUT = f -> {
        if (f.isSuccess()) {
            outputShut((DuplexChannel) f.channel());
        } else {
            f.channel().close();
        }
    };

    /**
     * Sends a FIN on {@code c}, whose outbound buffer is empty. On the native transports this is
     * the shutdown(2) call itself on the channel's socket, which keeps its own shutdown state, so
     * {@code isOutputShutdown()} stays true to it. Netty's own {@code shutdownOutput()} does the
     * same call but first creates an exception with a full stack trace, to fail writes that are
     * pending (here there are none): measured on connection churn, that one exception was a
     * quarter of halb's user CPU per connection (about 5 of 19 us).
     */
    private static void shutdownOutputNow(Channel c) {
        if (!c.isActive()) {
            return;
        }
        DuplexChannel d = (DuplexChannel) c;
        if (d.isOutputShutdown()) {
            return;
        }
        Socket socket = socketOf(c);
        if (socket != null) {
            try {
                socket.shutdown(false, true);
            } catch (IOException | NotYetConnectedException e) {
                // The peer reset the socket after our last write went out and before this FIN
                // (shutdown(2) fails with ENOTCONN, which Netty throws as the unchecked
                // NotYetConnectedException): handled as any reset a read finds.
                c.pipeline().fireExceptionCaught(new QuietReset("reset by peer before its FIN was sent (" + e + ")"));
                return;
            }
            outputShut(d);
        } else {
            d.shutdownOutput().addListener(AFTER_SHUTDOWN_OUTPUT);
        }
    }

    /**
     * Finds a reset that reached {@code c}'s socket without waking its channel, and handles it as
     * the reset a read would have found; true if there was one. Netty's io_uring transport
     * (4.2.18) drops a poll completion that reports POLLERR alone, and then waits for nothing: a
     * peer that acknowledges our FIN and resets just after can produce one, when the
     * acknowledgement's wake-up is polled between the kernel setting the socket's error and its
     * closed state. The socket's pending error ({@code SO_ERROR}: a reset, or a retransmission
     * timeout, either of which leaves the socket dead) says so. Reading it is a getsockopt(2) per
     * socket, so the sweep asks only connections that are closing and quiet, once per sweep.
     */
    static boolean resetPending(Channel c) {
        Socket socket = c == null || !c.isActive() ? null : socketOf(c);
        if (socket == null) {
            return false;
        }
        int error;
        try {
            error = socket.getSoError();
        } catch (IOException e) {
            return false;
        }
        if (error == 0) {
            return false;
        }
        c.pipeline().fireExceptionCaught(new QuietReset("socket error " + error + " found while closing"));
        return true;
    }

    /** The native socket of an io_uring or epoll channel; {@code null} on NIO. */
    private static Socket socketOf(Channel c) {
        return c instanceof UnixChannel u && u.fd() instanceof Socket socket ? socket : null;
    }

    /** A reset found other than by a read; an IOException like the resets a read finds, without a stack trace. */
    private static final class QuietReset extends IOException {
        QuietReset(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static void outputShut(DuplexChannel d) {
        if (d.isInputShutdown()) {
            d.close();
            return;
        }
        // Our side of this socket is done: when its FIN comes there is nothing left to pass on,
        // so let the transport close it then. With half-closure still allowed it would instead
        // shut down the input of a socket that is already fully closed, which fails (ENOTCONN)
        // and costs an exception with its stack trace on every connection.
        d.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
    }

    /** Closes {@code c} with a reset (SO_LINGER 0), dropping whatever it still had queued. */
    static void abort(Channel c) {
        if (c == null || !c.isOpen()) {
            return;
        }
        if (c.isActive()) {
            try {
                c.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                // Closing without the reset is the best that is left.
            }
        }
        c.close();
    }

    /** The other side; {@code null} until the backend connection is up. */
    Channel peer;
    /** The handler of the other side; {@code null} until the backend connection is up. */
    RelayHandler peerHandler;
    /** The connection this half belongs to: its timeouts, activity and accounting. */
    FrontendHandler connection;
    /** This side's reading was paused because direct memory was short; the sweep resumes it. */
    boolean pausedForMemory;
    /** This side broke (reset, I/O error): its peer was aborted and nothing more is relayed. */
    boolean broken;
    /** Bytes read since they were last reported to metrics. */
    private long unreportedBytes;
    /** Bytes read from this side and relayed to the peer, for the access log. */
    long relayedBytes;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel p = peer;
        if (p == null) {
            hold(ctx, msg);
            return;
        }
        if (broken || !p.isActive()) {
            // The other side is gone (or this one broke): there is nowhere for these bytes to go.
            ReferenceCountUtil.release(msg);
            return;
        }
        connection.activity();
        if (msg instanceof ByteBuf buf) {
            unreportedBytes += buf.readableBytes();
        }
        p.write(msg, p.voidPromise());
        Channel self = ctx.channel();
        if (!p.isWritable()) {
            if (!self.config().isAutoRead()) {
                // Read although paused: io_uring and epoll drain a socket whose peer sent a FIN or
                // a reset. Past the connection's bound that is only tolerated while memory lasts.
                queuedWhilePaused(ctx, p);
            } else {
                self.config().setAutoRead(false);
                DirectMemory.check();
            }
        } else if (DirectMemory.underPressure() && self.config().isAutoRead()) {
            pausedForMemory = true;
            self.config().setAutoRead(false);
        }
    }

    private void queuedWhilePaused(ChannelHandlerContext ctx, Channel p) {
        if (p.unsafe().outboundBuffer() == null || p.unsafe().outboundBuffer().totalPendingWriteBytes() <= QUEUE_BOUND) {
            return;
        }
        if (DirectMemory.check()) {
            connection.ended(ConnectionEnd.NO_RESOURCES, true);
            memoryShort.warn("closing {}: direct memory is {} of {} bytes and its peer is not reading",
                    ctx.channel(), DirectMemory.used(), DirectMemory.max());
            connection.abortBoth();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel p = peer;
        if (p != null) {
            p.flush();
        }
        if (unreportedBytes != 0) {
            reportBytes(unreportedBytes);
            relayedBytes += unreportedBytes;
            unreportedBytes = 0;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (peer != null && ctx.channel().isWritable()) {
            peerHandler.resumeReading();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown(ctx);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** This side sent a FIN: pass it on, and close this channel if its output is shut as well. */
    void inputShutdown(ChannelHandlerContext ctx) {
        if (broken) {
            return;
        }
        Channel p = peer;
        if (p == null) {
            holdInputShutdown(ctx);
            return;
        }
        connection.ended(this == connection ? ConnectionEnd.CLIENT_FIN : ConnectionEnd.BACKEND_FIN, false);
        connection.halfClosed();
        shutdownOutputAfterWrites(p);
        if (((DuplexChannel) ctx.channel()).isOutputShutdown()) {
            ctx.close();
        }
    }

    static void shutdownOutputAfterWrites(Channel c) {
        queuedWritesDone(c).addListener(SHUTDOWN_OUTPUT);
    }

    /**
     * Done once everything queued to {@code c} is written. When nothing is queued or in flight,
     * that is now: the channel's own succeeded future, whose listeners run at once on its event
     * loop. Otherwise an empty write queued behind the rest says when it is out; on io_uring that
     * empty write is a zero-length send of its own, so it is kept for when it is needed.
     */
    private static ChannelFuture queuedWritesDone(Channel c) {
        return nothingQueued(c) ? c.newSucceededFuture() : c.writeAndFlush(Unpooled.EMPTY_BUFFER);
    }

    /** True when {@code c} has no write queued or in flight. Asked only on its own event loop. */
    private static boolean nothingQueued(Channel c) {
        if (!c.eventLoop().inEventLoop()) {
            return false;
        }
        ChannelOutboundBuffer out = c.unsafe().outboundBuffer();
        // Every queued message counts towards the pending bytes (its size plus a fixed overhead),
        // flushed or not, until its write has completed.
        return out == null || (out.isEmpty() && out.totalPendingWriteBytes() == 0);
    }

    /**
     * Lets this side read again (its peer drained below the low water mark), unless its input is
     * over, or direct memory is short: then the sweep resumes it later.
     */
    final void resumeReading() {
        Channel c = channel();
        if (c == null || c.config().isAutoRead() || !c.isActive() || broken) {
            return;
        }
        if (c instanceof DuplexChannel d && d.isInputShutdown()) {
            return;
        }
        if (DirectMemory.underPressure()) {
            pausedForMemory = true;
            return;
        }
        pausedForMemory = false;
        c.config().setAutoRead(true);
    }

    /** Called by the sweep: resumes a side paused for memory once memory is back. */
    final void resumeIfMemoryBack() {
        if (pausedForMemory && peer != null && peer.isWritable()) {
            resumeReading();
        }
    }

    /** This side's channel. */
    abstract Channel channel();

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.sideClosed(this);
        }
        if (!broken) {
            closePeer();
        }
        ctx.fireChannelInactive();
    }

    /**
     * Closes the peer once what was written to it is out; the sweep enforces the fin timeout. The
     * launcher has the JIT compile this apart from Netty's {@code fireChannelInactive}, which C2
     * would otherwise compile with the close of both sides in it (a rename must follow in
     * {@code bin/halb} and the Dockerfile; {@code LauncherOptionsTest} checks).
     */
    final void closePeer() {
        Channel p = peer;
        if (p != null && p.isActive()) {
            queuedWritesDone(p).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("{}: {}", ctx.channel(), cause.toString());
        } else if (LocalErrors.isLocalResourceError(cause)) {
            unexpected.warn("{}: closing, {}", ctx.channel(), LocalErrors.describe(cause));
        } else {
            unexpected.warn("{}: unexpected error, closing: {}", ctx.channel(), cause.toString());
            log.debug("{}: unexpected error", ctx.channel(), cause);
        }
        // The connection is broken: whatever this side or its peer still had to say is lost,
        // so the peer is reset at once rather than left to finish.
        if (connection != null) {
            connection.ended(this == connection ? ConnectionEnd.CLIENT_RESET : ConnectionEnd.BACKEND_RESET, true);
        }
        broken = true;
        if (peerHandler != null) {
            peerHandler.broken = true;
        }
        abort(peer);
        ctx.close();
    }

    /** A message arrived before the peer exists (only the frontend can see this). */
    void hold(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    /** A FIN arrived before the peer exists (only the frontend can see this). */
    void holdInputShutdown(ChannelHandlerContext ctx) {
        ctx.close();
    }

    abstract void reportBytes(long bytes);
}
