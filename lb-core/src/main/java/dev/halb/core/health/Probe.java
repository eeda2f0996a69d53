package dev.halb.core.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import dev.halb.core.system.LocalErrors;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One check in flight: connects, lets the subclass decide, and completes exactly once - by a
 * verdict, an error, or the whole-check timeout - then closes its channel. Everything runs on
 * the checker's event loop, so the fields need no synchronisation.
 */
abstract class Probe implements ChannelFutureListener, Runnable {

    private final HealthChecker.Result result;
    private final long timeoutMs;
    private ScheduledFuture<?> timeout;
    private Channel channel;
    private boolean done;

    Probe(HealthChecker.Result result, long timeoutMs) {
        this.result = result;
        this.timeoutMs = timeoutMs;
    }

    /** A connect template for checks on {@code loop}: the connect itself may take the whole timeout. */
    static Bootstrap template(EventLoop loop, Class<? extends Channel> channelClass, int timeoutMs) {
        return new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
                .option(ChannelOption.TCP_NODELAY, true);
    }

    final void start(Bootstrap bootstrap, InetSocketAddress target) {
        try {
            timeout = bootstrap.config().group().schedule(this, timeoutMs, TimeUnit.MILLISECONDS);
            ChannelFuture f = bootstrap.connect(target);
            channel = f.channel();
            f.addListener(this);
        } catch (RuntimeException e) {
            if (LocalErrors.isLocalResourceError(e)) {
                skip(LocalErrors.describe(e));
            } else {
                finish(false, "cannot start check: " + e.getMessage());
            }
        }
    }

    /** The whole-check timeout. */
    @Override
    public final void run() {
        finish(false, "no answer within " + timeoutMs + " ms");
    }

    @Override
    public final void operationComplete(ChannelFuture f) {
        if (f.isSuccess()) {
            connected(f.channel());
        } else if (LocalErrors.isLocalResourceError(f.cause())) {
            skip(LocalErrors.describe(f.cause()));
        } else {
            finish(false, describe(f.cause()));
        }
    }

    /** The connect succeeded: go on, or {@link #finish}. */
    abstract void connected(Channel ch);

    /** Completes the check once; later calls are ignored. */
    final void finish(boolean healthy, String detail) {
        if (end()) {
            result.completed(healthy, detail);
        }
    }

    /** Ends the check without a verdict: this replica could not make it. */
    private void skip(String detail) {
        if (end()) {
            result.skipped(detail);
        }
    }

    private boolean end() {
        if (done) {
            return false;
        }
        done = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (channel != null && channel.isRegistered()) {
            // A channel whose socket could not be opened was never registered, and its close()
            // would throw (there is nothing to close).
            channel.close();
        }
        return true;
    }

    static String describe(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        if (cause == null) {
            return "failed";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
