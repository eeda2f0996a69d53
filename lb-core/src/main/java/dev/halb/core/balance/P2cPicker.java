package dev.halb.core.balance;

import java.util.concurrent.ThreadLocalRandom;

/*
 * Power of two random choices: draw two distinct candidates at random and keep the one with fewer
 * active connections per unit of weight. This tracks load nearly as well as least-connections
 * while needing no shared scan, and it spreads a burst of new connections across replicas that
 * cannot see each other's counts. Weights enter twice: the draw is weighted (WeightedIndex, O(1))
 * and the comparison divides by weight. A tie keeps the first draw, so idle backends (or equally
 * loaded ones) get exactly their weight's share; under load the comparison levels active/weight.
 */
final class P2cPicker implements Picker {

    private final Endpoint[] candidates;
    private final WeightedIndex index;

    P2cPicker(Endpoint[] candidates) {
        this.candidates = candidates;
        this.index = new WeightedIndex(candidates);
    }

    @Override
    public Endpoint pick(long clientHash) {
        int n = candidates.length;
        if (n == 1) {
            return candidates[0];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = index.next(random);
        int b = index.next(random);
        if (a == b) {
            b = index.next(random);
            if (a == b) {
                b = (a + 1 + random.nextInt(n - 1)) % n;
            }
        }
        Endpoint x = candidates[a];
        Endpoint y = candidates[b];
        // x.active / x.weight <= y.active / y.weight, without division
        long lx = (long) x.activeConnections() * y.weight();
        long ly = (long) y.activeConnections() * x.weight();
        return lx <= ly ? x : y;
    }

    @Override
    public Endpoint[] candidates() {
        return candidates;
    }
}
