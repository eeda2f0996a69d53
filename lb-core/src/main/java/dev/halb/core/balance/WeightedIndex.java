package dev.halb.core.balance;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Draws an index with probability proportional to its endpoint's weight. */
final class WeightedIndex {

    private final long[] cumulative;
    private final long total;
    private final boolean uniform;

    WeightedIndex(Endpoint[] endpoints) {
        cumulative = new long[endpoints.length];
        long sum = 0;
        boolean same = true;
        for (int i = 0; i < endpoints.length; i++) {
            sum += endpoints[i].weight();
            cumulative[i] = sum;
            same &= endpoints[i].weight() == endpoints[0].weight();
        }
        total = sum;
        uniform = same;
    }

    int next(RandomGenerator random) {
        int n = cumulative.length;
        if (uniform) {
            return random.nextInt(n);
        }
        long r = random.nextLong(total);
        int i = Arrays.binarySearch(cumulative, r + 1);
        return i >= 0 ? i : -i - 1;
    }
}
