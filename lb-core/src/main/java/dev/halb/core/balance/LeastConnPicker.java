package dev.halb.core.balance;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/*
 * Least connections per weight: scan every candidate and keep the one with the lowest
 * active/weight, comparing by cross-multiplication. The scan starts at a candidate drawn by
 * weight and keeps the first lowest it meets, so ties go by weight: with no connections open (or
 * all equally loaded) each backend gets its weight's share, instead of the first one taking all
 * or equal backends of unequal weight sharing evenly. A pick is O(n); for very large VIPs p2c
 * gives nearly the same balance in O(1).
 */
final class LeastConnPicker implements Picker {

    private final Endpoint[] candidates;
    /** The candidates' live counters and weights side by side, so the scan touches less memory. */
    private final AtomicInteger[] active;
    private final int[] weights;
    private final WeightedIndex index;

    LeastConnPicker(Endpoint[] candidates) {
        this.candidates = candidates;
        this.active = new AtomicInteger[candidates.length];
        this.weights = new int[candidates.length];
        for (int i = 0; i < weights.length; i++) {
            active[i] = candidates[i].counter();
            weights[i] = candidates[i].weight();
        }
        this.index = new WeightedIndex(candidates);
    }

    @Override
    public Endpoint pick(long clientHash) {
        int n = candidates.length;
        if (n == 1) {
            return candidates[0];
        }
        int start = index.next(ThreadLocalRandom.current());
        int best = start;
        long bestActive = active[start].get();
        long bestWeight = weights[start];
        int i = start;
        // Nothing beats 0 connections (counts are never negative): stop there, same answer.
        for (int k = 1; k < n && bestActive > 0; k++) {
            if (++i == n) {
                i = 0;
            }
            long a = active[i].get();
            // a / weights[i] < bestActive / bestWeight, without division
            if (a * bestWeight < bestActive * weights[i]) {
                best = i;
                bestActive = a;
                bestWeight = weights[i];
            }
        }
        return candidates[best];
    }

    @Override
    public Endpoint[] candidates() {
        return candidates;
    }
}
