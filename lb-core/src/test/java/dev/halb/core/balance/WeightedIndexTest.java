package dev.halb.core.balance;

import static dev.halb.core.balance.TestEndpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The alias table is exact: summed over its columns, each index holds exactly weight * n / W. */
class WeightedIndexTest {

    @Test
    void everyIndexHoldsExactlyItsWeightInTheTable() throws Exception {
        int[] weights = {1, 7, 100, 333, 10_000, 2, 2, 59};
        Endpoint[] endpoints = new Endpoint[weights.length];
        long total = 0;
        for (int i = 0; i < weights.length; i++) {
            endpoints[i] = endpoint(i, "a", weights[i]);
            total += weights[i];
        }
        WeightedIndex index = new WeightedIndex(endpoints);
        long[] threshold = (long[]) field(index, "threshold");
        int[] alias = (int[]) field(index, "alias");
        long[] held = new long[weights.length];
        for (int column = 0; column < weights.length; column++) {
            held[column] += threshold[column];
            held[alias[column]] += total - threshold[column];
        }
        for (int i = 0; i < weights.length; i++) {
            assertThat(held[i]).as("units of index %d", i).isEqualTo((long) weights[i] * weights.length);
        }
    }

    @Test
    void drawsFollowWeights() {
        Endpoint[] endpoints = {endpoint(0, "a", 1), endpoint(1, "a", 3)};
        WeightedIndex index = new WeightedIndex(endpoints);
        RandomGenerator random = new SplittableRandom(1);
        int[] counts = new int[2];
        for (int i = 0; i < 100_000; i++) {
            counts[index.next(random)]++;
        }
        assertThat(counts[1] / 100_000.0).isBetween(0.74, 0.76);
    }

    private static Object field(Object target, String name) throws Exception {
        var f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }
}
