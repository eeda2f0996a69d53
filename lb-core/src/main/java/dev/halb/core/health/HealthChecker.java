package dev.halb.core.health;

import dev.halb.core.config.HealthCheckConfig;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * One kind of active check ({@code tcp} or {@code http}), bound to one event loop: every check
 * connects, runs and completes there, so the checks of a whole replica need no thread of their own.
 */
interface HealthChecker {

    /** The outcome of one check. */
    interface Result {
        /**
         * @param healthy whether the check passed
         * @param detail  what happened, for the log ("connection refused", "HTTP 500", ...)
         */
        void completed(boolean healthy, String detail);

        /**
         * The check could not be made for a reason of this replica's own (no file descriptor
         * left, say): it says nothing about the backend, whose state stays as it is.
         */
        void skipped(String detail);
    }

    /**
     * Starts one check of {@code target}. {@code result} is called exactly once, on the checker's
     * event loop, at the latest {@code timeoutMs} after this call; this method does not throw.
     *
     * @param host the HTTP {@code Host} header ({@code address:port})
     */
    void check(InetSocketAddress target, String host, Result result);

    /** The checker a VIP's configuration asks for; {@code null} for type {@code none}. */
    static HealthChecker create(HealthCheckConfig config, EventLoop loop, Class<? extends Channel> channelClass) {
        return switch (config.type()) {
            case TCP -> new TcpHealthChecker(loop, channelClass, config.timeoutMs());
            case HTTP -> new HttpHealthChecker(loop, channelClass, config.timeoutMs(), config.path());
            case NONE -> null;
        };
    }
}
