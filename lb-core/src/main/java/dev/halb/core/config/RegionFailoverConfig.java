package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Objects;

/**
 * Regions as failover priorities: with {@code replica.region} set, new connections stay in that
 * region (and on backends with no region) while it has the healthy capacity, and go to other
 * regions only in proportion to the capacity it lost.
 *
 * @param enabled                prefer this replica's region; {@code false} = regions are ignored
 * @param overprovisioningFactor the local region takes {@code min(1, factor * healthy share)} of
 *                               new connections: with 1.4 it keeps all of them until fewer than
 *                               about 71 % of its backends are healthy
 */
public record RegionFailoverConfig(boolean enabled, double overprovisioningFactor) {

    /** Envoy's default overprovisioning factor. */
    public static final double DEFAULT_FACTOR = 1.4;
    public static final RegionFailoverConfig DEFAULT = new RegionFailoverConfig(true, DEFAULT_FACTOR);
    static final double MAX_FACTOR = 100;

    public RegionFailoverConfig {
        // Below 1 a fully healthy region would hand connections away: that is spill-over, not failover.
        if (!(overprovisioningFactor >= 1 && overprovisioningFactor <= MAX_FACTOR)) {
            throw InvalidValueException.of("overprovisioningFactor", overprovisioningFactor,
                    "expected: a number 1-" + (int) MAX_FACTOR);
        }
    }

    /** The configuration of {@code regionFailover}: every {@code null} takes its value from {@link #DEFAULT}. */
    @JsonCreator
    static RegionFailoverConfig withDefaults(Boolean enabled, Double overprovisioningFactor) {
        return new RegionFailoverConfig(Objects.requireNonNullElse(enabled, DEFAULT.enabled),
                Objects.requireNonNullElse(overprovisioningFactor, DEFAULT.overprovisioningFactor));
    }
}
