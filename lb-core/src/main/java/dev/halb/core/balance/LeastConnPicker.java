package dev.halb.core.balance;

import java.util.concurrent.ThreadLocalRandom;

/*
 * Least connections per weight: scan every candidate and keep the one with the lowest
 * active/weight, comparing by cross-multiplication. Ties are broken by where the scan starts,
 * which is random, so equal backends share new connections instead of the first one taking all.
 * A pick is O(n); for very large VIPs p2c gives nearly the same balance in O(1).
 */
final class LeastConnPicker implements Picker {

    private final Endpoint[] candidates;

    LeastConnPicker(Endpoint[] candidates) {
        this.candidates = candidates;
    }

    @Override
    public Endpoint pick(long clientHash) {
        int n = candidates.length;
        int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
        Endpoint best = candidates[start];
        long bestActive = best.activeConnections();
        for (int k = 1; k < n; k++) {
            Endpoint e = candidates[(start + k) % n];
            long active = e.activeConnections();
            if (active * best.weight() < bestActive * e.weight()) {
                best = e;
                bestActive = active;
            }
        }
        return best;
    }

    @Override
    public Endpoint[] candidates() {
        return candidates;
    }
}
