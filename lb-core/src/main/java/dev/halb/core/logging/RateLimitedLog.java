package dev.halb.core.logging;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A log line that may repeat under a fault (every refused client, every failed accept): written
 * at most once per interval, the first time at once, each later line saying how many like it
 * were held back since the previous one. Thread-safe and allocation-free when it holds a line
 * back, so it can sit on an event loop's hot path.
 */
public final class RateLimitedLog {

    /** The interval used unless a caller has a reason for another. */
    public static final long DEFAULT_INTERVAL_MS = 10_000;

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong next;
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log) {
        this(log, DEFAULT_INTERVAL_MS, TimeUnit.MILLISECONDS, System::nanoTime);
    }

    public RateLimitedLog(Logger log, long interval, TimeUnit unit, LongSupplier nanoTime) {
        this.log = Objects.requireNonNull(log, "log");
        this.intervalNanos = unit.toNanos(interval);
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval: " + interval + " " + unit + " (expected: > 0)");
        }
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.next = new AtomicLong(nanoTime.getAsLong());
    }

    /** Logs {@code format} at WARN unless a line was written less than an interval ago. */
    public void warn(String format, Object... args) {
        if (!log.isWarnEnabled()) {
            return;
        }
        long held = due();
        if (held < 0) {
            return;
        }
        log.warn(held == 0 ? format : format + " (" + held + " more like this in the last "
                + TimeUnit.NANOSECONDS.toSeconds(intervalNanos) + " s)", args);
    }

    /** Lines held back so far and not yet reported; for tests. */
    public long suppressed() {
        return suppressed.get();
    }

    /**
     * Claims the right to write a line now: returns how many were held back before it, or -1
     * when the interval has not passed (and counts this one as held back).
     */
    private long due() {
        long now = nanoTime.getAsLong();
        long n = next.get();
        if (now - n >= 0 && next.compareAndSet(n, now + intervalNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
