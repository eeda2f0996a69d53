package dev.halb.core.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016). Each candidate gets a permutation of
 * the M table slots from two hashes of its id, offset = h1 mod M and skip = h2 mod (M - 1) + 1
 * (M prime, so every skip visits every slot). Candidates take turns claiming their next free
 * preferred slot until the table is full; a client's backend is table[hash(client IP) mod M].
 * Every replica that sees the same candidates (sorted by id) builds the same table, and removing
 * one of N backends moves its own clients and only a few percent of the others (DESIGN: "about
 * 1/N of clients" in all).
 *
 * Weights follow Envoy's variant: in round r a candidate claims a slot only when
 * r * weight >= its running target, which grows by the largest weight each time it claims, so a
 * candidate of half the largest weight claims every other round.
 *
 * The hashes are FNV-1a over the id's UTF-8 bytes, mixed by SplitMix64 - fixed functions, so the
 * table does not depend on the JVM, the replica or the order backends arrived in.
 *
 * Shares: each backend holds its weight's share of the M slots to within about a slot, so the
 * error of a share is about N / M (0.05 % of a share at 30 backends, 5 % at 3 000 with
 * M = 65537). Client hashes, not slots, are what is balanced, so real shares also carry the
 * clients' own skew.
 */
final class MaglevPicker implements Picker {

    /** A prime, as Maglev needs; Envoy's default too. */
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

    /**
     * The table size for {@code n} candidates: {@link #DEFAULT_TABLE_SIZE}, or for more candidates
     * than that (a fallback no real VIP should reach) the first prime of at least {@code 8 n}.
     */
    static int tableSizeFor(int n) {
        if (n <= DEFAULT_TABLE_SIZE) {
            return DEFAULT_TABLE_SIZE;
        }
        int m = Math.multiplyExact(n, 8) | 1; // n < 2^27 in any real VIP, so m < 2^30
        while (!isPrime(m)) {
            m += 2;
        }
        return m;
    }

    private static boolean isPrime(int m) {
        for (int d = 3; (long) d * d <= m; d += 2) {
            if (m % d == 0) {
                return false;
            }
        }
        return true;
    }

    static int[] build(Endpoint[] candidates, int m) {
        int n = candidates.length;
        int[] table = new int[m];
        Arrays.fill(table, -1);
        if (n == 0) {
            return table;
        }
        int[] position = new int[n];
        int[] skip = new int[n];
        int[] weight = new int[n];
        long[] target = new long[n];
        int maxWeight = 1;
        for (int i = 0; i < n; i++) {
            long h = fnv1a(candidates[i].id());
            position[i] = (int) Long.remainderUnsigned(VipSelector.mix(h), m);
            skip[i] = (int) Long.remainderUnsigned(VipSelector.mix(h ^ 0x9E3779B97F4A7C15L), m - 1) + 1;
            weight[i] = candidates[i].weight();
            maxWeight = Math.max(maxWeight, weight[i]);
        }
        int filled = 0;
        for (long round = 1; filled < m; round++) {
            for (int i = 0; i < n && filled < m; i++) {
                if (round * weight[i] < target[i]) {
                    continue;
                }
                target[i] += maxWeight;
                // slot and step are below m (< 2^30, see tableSizeFor), so one subtraction is "% m"
                int slot = position[i];
                int step = skip[i];
                while (table[slot] >= 0) {
                    slot += step;
                    if (slot >= m) {
                        slot -= m;
                    }
                }
                table[slot] = i;
                slot += step;
                position[i] = slot >= m ? slot - m : slot;
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
