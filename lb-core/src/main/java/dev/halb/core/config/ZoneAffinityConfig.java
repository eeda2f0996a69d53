package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Objects;

/**
 * Zone-aware routing.
 *
 * @param enabled     prefer this replica's zone
 * @param minBackends below this many candidates in all, zones are ignored
 */
public record ZoneAffinityConfig(boolean enabled, int minBackends) {

    public static final ZoneAffinityConfig DEFAULT = new ZoneAffinityConfig(true, 3);

    public ZoneAffinityConfig {
        Checks.range("minBackends", minBackends, 0, 100_000);
    }

    /** The configuration of {@code zoneAffinity}: every {@code null} takes its value from {@link #DEFAULT}. */
    @JsonCreator
    static ZoneAffinityConfig withDefaults(Boolean enabled, Integer minBackends) {
        return new ZoneAffinityConfig(Objects.requireNonNullElse(enabled, DEFAULT.enabled),
                Objects.requireNonNullElse(minBackends, DEFAULT.minBackends));
    }
}
