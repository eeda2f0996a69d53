package dev.halb.core.balance;

import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Smooth weighted round robin. Over one period of sum(weight)/gcd(weights) picks, candidate i is
 * chosen exactly w_i times, and its picks are spread evenly: its k-th pick falls at virtual time
 * (k - 1/2) / w_i, and the period is all those times in order (stride scheduling; like nginx's
 * smooth algorithm, weights 5,1,1 yield a,a,b,a,c,a,a rather than a,a,a,a,a,b,c). The period is
 * computed once, by merging the candidates' time lines with a heap, and a pick is one atomic
 * increment and an array read. Periods longer than MAX_PERIOD (odd weights over thousands of
 * backends) are computed on weights scaled down to fit; shares then stay within a fraction of a
 * percent.
 */
final class RoundRobinPicker implements Picker {

    static final int MAX_PERIOD = 1 << 20;

    private final Endpoint[] candidates;
    private final int[] sequence;
    private final AtomicLong next;

    RoundRobinPicker(Endpoint[] candidates, long seed) {
        this.candidates = candidates;
        this.sequence = smoothSequence(weights(candidates));
        // A per-replica start so replicas behind DNS do not send their first clients in lockstep.
        this.next = new AtomicLong(Math.floorMod(seed, Math.max(1, sequence.length)));
    }

    private static int[] weights(Endpoint[] candidates) {
        int[] w = new int[candidates.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = candidates[i].weight();
        }
        return w;
    }

    static int[] smoothSequence(int[] weights) {
        int n = weights.length;
        if (n == 0) {
            return new int[0];
        }
        int g = 0;
        long sum = 0;
        for (int w : weights) {
            g = gcd(g, w);
            sum += w;
        }
        int[] w = new int[n];
        long period = 0;
        for (int i = 0; i < n; i++) {
            w[i] = weights[i] / g;
            period += w[i];
        }
        if (period > MAX_PERIOD) {
            double scale = (double) MAX_PERIOD / sum;
            period = 0;
            for (int i = 0; i < n; i++) {
                w[i] = Math.max(1, (int) Math.round(weights[i] * scale));
                period += w[i];
            }
        }
        int[] seq = new int[(int) period];
        int[] taken = new int[n];
        int[] ww = w;
        // Next virtual time of i is (2 * taken[i] + 1) / (2 * w[i]); compare as fractions, ties by index.
        PriorityQueue<Integer> heap = new PriorityQueue<>(Math.max(1, n), (a, b) -> {
            long lhs = (2L * taken[a] + 1) * ww[b];
            long rhs = (2L * taken[b] + 1) * ww[a];
            return lhs != rhs ? Long.compare(lhs, rhs) : Integer.compare(a, b);
        });
        for (int i = 0; i < n; i++) {
            heap.add(i);
        }
        for (int s = 0; s < seq.length; s++) {
            int i = heap.poll();
            seq[s] = i;
            taken[i]++;
            if (taken[i] < w[i]) {
                heap.add(i);
            }
        }
        return seq;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    @Override
    public Endpoint pick(long clientHash) {
        if (sequence.length == 0) {
            return null;
        }
        return candidates[sequence[(int) Math.floorMod(next.getAndIncrement(), (long) sequence.length)]];
    }

    @Override
    public Endpoint[] candidates() {
        return candidates;
    }
}
