package dev.halb.core.balance;

import java.util.concurrent.atomic.AtomicLong;

/*
 * Smooth weighted round robin. Over one period of sum(weight)/gcd(weights) picks, candidate i is
 * chosen exactly w_i times, and its picks are spread evenly: its k-th pick falls at virtual time
 * (k - 1/2) / w_i, and the period is all those times in order, ties by index (stride scheduling;
 * like nginx's smooth algorithm, weights 5,1,1 yield a,a,a,b,c,a,a rather than a,a,a,a,a,b,c).
 * The period is computed once, by merging the candidates' time lines with an int heap, and a pick
 * is one atomic increment and an array read (lock-free; the counter is shared by the event
 * loops). Periods longer than MAX_PERIOD (odd weights over thousands of backends) are computed on
 * weights scaled down to fit; shares then stay within a fraction of a percent.
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
        // A binary min-heap of candidate indexes keyed by their next virtual time (see before()).
        int[] heap = new int[n];
        int size = 0;
        for (int i = 0; i < n; i++) {
            heap[size] = i;
            siftUp(heap, size++, taken, w);
        }
        for (int s = 0; s < seq.length; s++) {
            int i = heap[0];
            seq[s] = i;
            taken[i]++;
            if (taken[i] < w[i]) {
                siftDown(heap, 0, size, taken, w); // i's key grew: it sinks
            } else {
                heap[0] = heap[--size];
                siftDown(heap, 0, size, taken, w);
            }
        }
        return seq;
    }

    /**
     * Whether a's next virtual time, (2 taken[a] + 1) / (2 w[a]), comes before b's; ties by index
     * so that the sequence is a fixed function of the weights.
     */
    private static boolean before(int a, int b, int[] taken, int[] w) {
        long lhs = (2L * taken[a] + 1) * w[b];
        long rhs = (2L * taken[b] + 1) * w[a];
        return lhs != rhs ? lhs < rhs : a < b;
    }

    private static void siftUp(int[] heap, int k, int[] taken, int[] w) {
        int x = heap[k];
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            if (!before(x, heap[parent], taken, w)) {
                break;
            }
            heap[k] = heap[parent];
            k = parent;
        }
        heap[k] = x;
    }

    private static void siftDown(int[] heap, int k, int size, int[] taken, int[] w) {
        if (size == 0) {
            return;
        }
        int x = heap[k];
        while (true) {
            int child = 2 * k + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child], taken, w)) {
                child++;
            }
            if (!before(heap[child], x, taken, w)) {
                break;
            }
            heap[k] = heap[child];
            k = child;
        }
        heap[k] = x;
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
