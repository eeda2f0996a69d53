package dev.halb.core.config;

/**
 * Zone-aware routing.
 *
 * @param enabled     prefer this replica's zone
 * @param minBackends below this many candidates in all, zones are ignored
 */
public record ZoneAffinityConfig(boolean enabled, int minBackends) {

    public static final ZoneAffinityConfig DEFAULT = new ZoneAffinityConfig(true, 3);
}
