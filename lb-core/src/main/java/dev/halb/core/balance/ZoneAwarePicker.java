package dev.halb.core.balance;

import java.util.concurrent.ThreadLocalRandom;

/*
 * A pick under zone routing: one draw into a small cumulative array chooses a zone, then that
 * zone's own picker (of the VIP's strategy) chooses a backend. The split is precomputed by
 * ZoneAffinity when candidates or replicas change; a pick only reads final arrays.
 *
 * For Maglev the draw is not random but taken from the client hash (through a second mixer, so it
 * is independent of the table slot the same hash selects), so every replica that computes the same
 * split sends a client to the same zone and then, through identical per-zone tables, to the same
 * backend.
 */
final class ZoneAwarePicker implements Picker {

    private static final long ZONE_SALT = 0x632BE59BD9B4E019L;

    private final Endpoint[] candidates;
    private final String[] zones;
    private final Picker[] pickers;
    /** cumulative[i] = shares[0] + ... + shares[i]; the last entry is treated as 1. */
    private final double[] cumulative;
    private final int local;
    private final boolean hashed;

    /**
     * @param candidates all candidates, in id order
     * @param hashed     draw the zone from the client hash (Maglev) instead of at random
     */
    ZoneAwarePicker(Endpoint[] candidates, String[] zones, Picker[] pickers, double[] shares, int local,
                    boolean hashed) {
        this.candidates = candidates;
        this.zones = zones;
        this.pickers = pickers;
        this.cumulative = new double[shares.length];
        double sum = 0;
        for (int i = 0; i < shares.length; i++) {
            sum += shares[i];
            cumulative[i] = sum;
        }
        this.local = local;
        this.hashed = hashed;
    }

    /** The group a new connection from a client with {@code clientHash} goes to. */
    int zoneIndex(long clientHash) {
        int last = cumulative.length - 1;
        if (last == 0) {
            return 0; // LOCAL_ONLY: nothing to draw
        }
        double u = hashed
                ? (VipSelector.mix(clientHash ^ ZONE_SALT) >>> 11) * 0x1.0p-53
                : ThreadLocalRandom.current().nextDouble();
        for (int i = 0; i < last; i++) {
            if (u < cumulative[i]) {
                return i;
            }
        }
        return last;
    }

    Endpoint pickIn(int zoneIndex, long clientHash) {
        return pickers[zoneIndex].pick(clientHash);
    }

    /** Index of the local zone's group; another index is a spill-over. */
    int localIndex() {
        return local;
    }

    /** The per-zone pickers, in the order of the split. */
    Picker[] pickers() {
        return pickers;
    }

    String zone(int zoneIndex) {
        return zones[zoneIndex];
    }

    @Override
    public Endpoint pick(long clientHash) {
        return pickers[zoneIndex(clientHash)].pick(clientHash);
    }

    @Override
    public Endpoint[] candidates() {
        return candidates;
    }
}
