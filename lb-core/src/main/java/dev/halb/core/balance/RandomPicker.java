package dev.halb.core.balance;

import java.util.concurrent.ThreadLocalRandom;

/** Weighted random: each candidate is drawn with probability weight / total weight. */
final class RandomPicker implements Picker {

    private final Endpoint[] candidates;
    private final WeightedIndex index;

    RandomPicker(Endpoint[] candidates) {
        this.candidates = candidates;
        this.index = new WeightedIndex(candidates);
    }

    @Override
    public Endpoint pick(long clientHash) {
        return candidates[index.next(ThreadLocalRandom.current())];
    }

    @Override
    public Endpoint[] candidates() {
        return candidates;
    }
}
