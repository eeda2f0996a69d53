package dev.halb.core.balance;

import java.util.random.RandomGenerator;

/*
 * Draws an index with probability proportional to its endpoint's weight, in O(1): Vose's alias
 * method. Each of the n columns holds a total of W (the sum of weights) split between its own
 * index (threshold[i]) and one alias; a draw picks a column uniformly and then a point in [0, W).
 * The table is built in integers (each index starts with weight * n units of W), so the
 * distribution is exact, not exact up to rounding. Equal weights skip the table.
 */
final class WeightedIndex {

    private final long total;
    private final long[] threshold;
    private final int[] alias;
    private final boolean uniform;

    WeightedIndex(Endpoint[] endpoints) {
        int n = endpoints.length;
        long sum = 0;
        boolean same = true;
        for (Endpoint e : endpoints) {
            sum += e.weight();
            same &= e.weight() == endpoints[0].weight();
        }
        total = sum;
        uniform = same;
        threshold = new long[n];
        alias = new int[n];
        if (same) {
            return;
        }
        long[] units = new long[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int smalls = 0;
        int larges = 0;
        for (int i = 0; i < n; i++) {
            units[i] = (long) endpoints[i].weight() * n;
            if (units[i] < sum) {
                small[smalls++] = i;
            } else {
                large[larges++] = i;
            }
        }
        while (smalls > 0 && larges > 0) {
            int s = small[--smalls];
            int l = large[--larges];
            threshold[s] = units[s];
            alias[s] = l;
            units[l] -= sum - units[s];
            if (units[l] < sum) {
                small[smalls++] = l;
            } else {
                large[larges++] = l;
            }
        }
        // What is left is exactly full (integer arithmetic leaves no rounding residue).
        while (larges > 0) {
            int l = large[--larges];
            threshold[l] = sum;
            alias[l] = l;
        }
        while (smalls > 0) {
            int s = small[--smalls];
            threshold[s] = sum;
            alias[s] = s;
        }
    }

    int next(RandomGenerator random) {
        int i = random.nextInt(threshold.length);
        if (uniform) {
            return i;
        }
        return random.nextLong(total) < threshold[i] ? i : alias[i];
    }
}
