package dev.halb.core.metrics;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.SlidingWindowReservoir;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations in nanoseconds, exposed as a Prometheus summary in seconds: quantiles over the last
 * {@value #WINDOW} values, {@code _count} and {@code _sum} of all of them. Recording allocates
 * nothing and reads no clock (a Dropwizard {@code Timer} also marks a {@code Meter}, and its
 * default reservoirs allocate a sample per update).
 */
public final class Latency extends Histogram {

    /** Values the quantiles are taken over: Dropwizard's usual sample size. */
    static final int WINDOW = 1028;

    private final LongAdder sum = new LongAdder();

    public Latency() {
        super(new SlidingWindowReservoir(WINDOW));
    }

    /** Records one duration of {@code nanos}. */
    @Override
    public void update(long nanos) {
        super.update(nanos);
        sum.add(nanos);
    }

    /** The sum of every duration recorded, in nanoseconds. */
    public long sumNanos() {
        return sum.sum();
    }
}
