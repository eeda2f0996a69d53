package dev.halb.core.balance;

/**
 * What region failover needs to know besides the candidates: this replica's region and the VIP's
 * {@code regionFailover} settings. Fixed for the life of a selector.
 *
 * @param localRegion            this replica's region, {@code ""} for none (regions are then ignored)
 * @param enabled                the VIP's {@code regionFailover.enabled}
 * @param overprovisioningFactor the local region takes {@code min(1, factor * healthy share)} of
 *                               new connections; at least 1
 */
public record RegionContext(String localRegion, boolean enabled, double overprovisioningFactor) {

    /** Regions ignored: every pick is as if no backend had a region. */
    public static final RegionContext NONE = new RegionContext("", false, 1.4);

    public RegionContext {
        localRegion = localRegion == null ? "" : localRegion.strip();
        if (!(overprovisioningFactor >= 1) || Double.isInfinite(overprovisioningFactor)) {
            throw new IllegalArgumentException("overprovisioningFactor: " + overprovisioningFactor
                    + " (expected: a finite number >= 1)");
        }
    }

    /** Whether regions shape selection at all: a local region and failover enabled. */
    boolean active() {
        return enabled && !localRegion.isEmpty();
    }
}
