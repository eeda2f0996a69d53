package dev.halb.core.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
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
 *       {@code channelWritabilityChanged}. Nothing is buffered without bound.</li>
 *   <li>Half-close: a FIN read here becomes {@code shutdownOutput} on the peer once every byte
 *       before it has been written; a channel whose input and output are both shut is closed.</li>
 *   <li>Close: when this channel closes (reset, error, idle timeout, both FINs), the peer is
 *       flushed and closed.</li>
 * </ul>
 */
abstract class RelayHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RelayHandler.class);

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
        if (c instanceof UnixChannel u && u.fd() instanceof Socket socket) {
            try {
                socket.shutdown(false, true);
            } catch (IOException e) {
                c.close();
                return;
            }
            outputShut(d);
        } else {
            d.shutdownOutput().addListener(AFTER_SHUTDOWN_OUTPUT);
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

    /** The other side; {@code null} until the backend connection is up. */
    Channel peer;
    /** Bytes read since they were last reported to metrics. */
    private long unreportedBytes;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel p = peer;
        if (p == null) {
            hold(ctx, msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            unreportedBytes += buf.readableBytes();
        }
        p.write(msg, p.voidPromise());
        if (!p.isWritable()) {
            ctx.channel().config().setAutoRead(false);
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
            unreportedBytes = 0;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel p = peer;
        if (p != null && ctx.channel().isWritable()) {
            resumeReading(p);
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
        Channel p = peer;
        if (p == null) {
            holdInputShutdown(ctx);
            return;
        }
        shutdownOutputAfterWrites(p);
        if (((DuplexChannel) ctx.channel()).isOutputShutdown()) {
            ctx.close();
        }
    }

    static void shutdownOutputAfterWrites(Channel c) {
        c.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(SHUTDOWN_OUTPUT);
    }

    /** Lets a paused channel read again, unless its input is already over. */
    static void resumeReading(Channel c) {
        if (c.config().isAutoRead() || !c.isActive()) {
            return;
        }
        if (c instanceof DuplexChannel d && d.isInputShutdown()) {
            return;
        }
        c.config().setAutoRead(true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closePeer();
        ctx.fireChannelInactive();
    }

    /** Closes the peer once what was written to it is out. */
    final void closePeer() {
        Channel p = peer;
        if (p != null && p.isActive()) {
            p.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("{}: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("{}: unexpected error, closing", ctx.channel(), cause);
        }
        ctx.close();
    }

    /** A message arrived before the peer exists (only the frontend can see this). */
    void hold(ChannelHandlerContext ctx, Object msg) {
        throw new IllegalStateException("read before the peer exists on " + ctx.channel());
    }

    /** A FIN arrived before the peer exists (only the frontend can see this). */
    void holdInputShutdown(ChannelHandlerContext ctx) {
        ctx.close();
    }

    abstract void reportBytes(long bytes);
}
