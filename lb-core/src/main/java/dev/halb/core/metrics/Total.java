package dev.halb.core.metrics;

import com.codahale.metrics.Counter;

/**
 * A count that only goes up, exposed as the Prometheus counter {@code <base>_total}. It is a
 * Dropwizard {@link Counter} (one {@code LongAdder}): recording reads no clock and keeps no
 * moving averages, which a {@code Meter} does on every event and nobody exports.
 */
public final class Total extends Counter {

    /** Counts one event. */
    public void mark() {
        inc();
    }

    /** Counts {@code n} events (bytes, say). */
    public void mark(long n) {
        inc(n);
    }
}
