package dev.halb.core.balance;

import java.util.concurrent.ThreadLocalRandom;

/*
 * A pick under region failover, when both levels take a share: one draw against the precomputed
 * local share chooses the level, then that level's picker (zone-aware for the local level, the
 * VIP's strategy over all candidates for the remote one) chooses a backend. When one level takes
 * everything there is no draw and no instance of this class: the selector picks in that level.
 *
 * For Maglev the draw is taken from the client hash, through a mixer with a salt of its own (so
 * it is independent of the zone draw and of the table slot the same hash selects): every replica
 * of a region that sees the same backends sends a client to the same level, then to the same zone
 * and backend.
 */
final class RegionAwarePicker implements Picker {

    private static final long REGION_SALT = 0x1B873593CC9E2D51L;

    private final Endpoint[] candidates;
    private final Picker local;
    private final Picker remote;
    private final double localShare;
    private final boolean hashed;

    /**
     * @param candidates all candidates, in id order
     * @param localShare in (0, 1)
     * @param hashed     draw the level from the client hash (Maglev) instead of at random
     */
    RegionAwarePicker(Endpoint[] candidates, Picker local, Picker remote, double localShare, boolean hashed) {
        this.candidates = candidates;
        this.local = local;
        this.remote = remote;
        this.localShare = localShare;
        this.hashed = hashed;
    }

    /** Whether a new connection from a client with {@code clientHash} stays in the local level. */
    boolean staysLocal(long clientHash) {
        double u = hashed
                ? (VipSelector.mix(clientHash ^ REGION_SALT) >>> 11) * 0x1.0p-53
                : ThreadLocalRandom.current().nextDouble();
        return u < localShare;
    }

    Endpoint pickRemote(long clientHash) {
        return remote.pick(clientHash);
    }

    @Override
    public Endpoint pick(long clientHash) {
        return staysLocal(clientHash) ? local.pick(clientHash) : remote.pick(clientHash);
    }

    @Override
    public Endpoint[] candidates() {
        return candidates;
    }
}
