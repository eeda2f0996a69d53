package dev.halb.core.balance;

import java.nio.charset.StandardCharsets;

/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016). Each candidate gets a permutation of
 * the M table slots from two hashes of its id, offset = h1 mod M and skip = h2 mod (M - 1) + 1
 * (M prime, so every skip visits every slot). Candidates take turns claiming their next free
 * preferred slot until the table is full; a client's backend is table[hash(client IP) mod M].
 * Every replica that sees the same candidates (sorted by id) builds the same table, and removing
 * one of N backends moves only about 1/N of the clients that were not on it.
 *
 * Weights follow Envoy's variant: in round r a candidate claims a slot only when
 * r * weight >= its running target, which grows by the largest weight each time it claims, so a
 * candidate of half the largest weight claims every other round.
 *
 * The hashes are FNV-1a over the id's UTF-8 bytes, mixed by SplitMix64 - fixed functions, so the
 * table does not depend on the JVM, the replica or the order backends arrived in.
 */
final class MaglevPicker implements Picker {

    /** A prime; 65537 keeps the table within 0.6 % of ideal shares for up to ~650 backends. */
    static final int DEFAULT_TABLE_SIZE = 65_537;

    private final Endpoint[] candidates;
    private final int[] table;

    MaglevPicker(Endpoint[] candidates, int tableSize) {
        if (candidates.length > tableSize) {
            throw new IllegalArgumentException("candidates: " + candidates.length
                    + " (expected: at most the table size " + tableSize + ")");
        }
        this.candidates = candidates;
        this.table = build(candidates, tableSize);
    }

    static int[] build(Endpoint[] candidates, int m) {
        int n = candidates.length;
        int[] table = new int[m];
        java.util.Arrays.fill(table, -1);
        if (n == 0) {
            return table;
        }
        long[] position = new long[n];
        long[] skip = new long[n];
        long[] target = new long[n];
        int maxWeight = 1;
        for (int i = 0; i < n; i++) {
            long h = fnv1a(candidates[i].id());
            position[i] = Long.remainderUnsigned(VipSelector.mix(h), m);
            skip[i] = Long.remainderUnsigned(VipSelector.mix(h ^ 0x9E3779B97F4A7C15L), m - 1) + 1;
            maxWeight = Math.max(maxWeight, candidates[i].weight());
        }
        int filled = 0;
        for (long round = 1; filled < m; round++) {
            for (int i = 0; i < n && filled < m; i++) {
                if (round * candidates[i].weight() < target[i]) {
                    continue;
                }
                target[i] += maxWeight;
                int slot = (int) position[i];
                while (table[slot] >= 0) {
                    slot = (int) ((slot + skip[i]) % m);
                }
                table[slot] = i;
                position[i] = (slot + skip[i]) % m;
                filled++;
            }
        }
        return table;
    }

    static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public Endpoint pick(long clientHash) {
        return candidates[table[(int) Long.remainderUnsigned(clientHash, table.length)]];
    }

    @Override
    public Endpoint[] candidates() {
        return candidates;
    }
}
