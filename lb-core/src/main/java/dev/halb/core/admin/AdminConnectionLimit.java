package dev.halb.core.admin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code max} admin connections open at once; one more is closed as soon as it is
 * accepted. Without a bound, a client that opens connections faster than the timeouts close
 * them takes every file descriptor of the process, and then the VIPs stop accepting too.
 *
 * <p>Refusals come in floods, so they are not logged one by one: the first is logged at once,
 * and those that follow are counted and logged together at most every {@value #REPORT_INTERVAL_MS} ms.
 */
final class AdminConnectionLimit {

    static final long REPORT_INTERVAL_MS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(AdminConnectionLimit.class);

    private final int max;
    private final ScheduledExecutorService scheduler;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong unreported = new AtomicLong();
    /** A report is scheduled, or being written: refusals meanwhile only count. */
    private final AtomicBoolean reporting = new AtomicBoolean();
    /** One listener for every connection's close, not one per connection. */
    private final ChannelFutureListener release = f -> open.decrementAndGet();
    private final Runnable report = this::report;

    AdminConnectionLimit(int max, ScheduledExecutorService scheduler) {
        this.max = max;
        this.scheduler = scheduler;
    }

    /** Counts {@code ch} until it closes, or closes it now when {@code max} are open. */
    boolean admit(Channel ch) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            ch.close();
            unreported.incrementAndGet();
            if (reporting.compareAndSet(false, true)) {
                report();
            }
            return false;
        }
        ch.closeFuture().addListener(release);
        return true;
    }

    /** Admin connections open now. */
    int open() {
        return open.get();
    }

    private void report() {
        long n = unreported.getAndSet(0);
        if (n == 0) {
            reporting.set(false);
            // A refusal between the two lines above saw a report pending and only counted:
            // the last line was an interval ago, so it may be logged now.
            if (unreported.get() > 0 && reporting.compareAndSet(false, true)) {
                report();
            }
            return;
        }
        log.warn("admin API refused {} new connection{}: {} open, which is its limit"
                        + " (refusals are counted and logged at most every {} s)",
                n, n == 1 ? "" : "s", max, REPORT_INTERVAL_MS / 1000);
        try {
            scheduler.schedule(report, REPORT_INTERVAL_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Shutting down: nobody is left to refuse, nor to read the count.
        }
    }
}
