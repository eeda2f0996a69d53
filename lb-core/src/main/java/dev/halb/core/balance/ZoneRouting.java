package dev.halb.core.balance;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a VIP's new connections are spread over zones right now, for the admin view and metrics.
 * Recomputed when candidates or replicas change, never per connection.
 *
 * @param mode      whether zone routing is active, and why not when it is not
 * @param localZone this replica's zone ({@code ""} for none)
 * @param split     zone -> share of new connections it receives (sums to 1 unless there are no
 *                  candidates); every zone with candidates is listed, in name order. Under region
 *                  failover these are shares of the local region's connections, zones of the
 *                  local region only (all zones when the local region has no candidates)
 */
public record ZoneRouting(Mode mode, String localZone, Map<String, Double> split) {

    /** Zone routing's state; every fallback has a name. */
    public enum Mode {
        /** {@code U_local >= L_local}: every connection stays in the local zone. */
        LOCAL_ONLY("local_only", true, "local zone has enough capacity"),
        /** {@code U_local < L_local}: local with probability {@code U_local / L_local}, the rest spill over. */
        PROPORTIONAL("proportional", true, "local zone short of capacity, spilling over"),
        /** Fallback: the VIP's {@code zoneAffinity.enabled} is false. */
        DISABLED("disabled", false, "zoneAffinity disabled"),
        /** Fallback: the replica has no zone. */
        NO_LOCAL_ZONE("no_local_zone", false, "no local zone"),
        /** Fallback: fewer than {@code minBackends} candidates in all. */
        BELOW_MIN_BACKENDS("below_min_backends", false, "below minBackends"),
        /** Fallback: no candidate in the local zone. */
        NO_LOCAL_CANDIDATES("no_local_candidates", false, "local zone has no candidates"),
        /**
         * Fallback under region failover: the local region has no candidate, every connection goes
         * to other regions, where zones are ignored.
         */
        REGION_FAILOVER("region_failover", false, "local region has no candidates; zones ignored in other regions"),
        /** No candidates anywhere: picks return {@code null}. */
        NO_CANDIDATES("no_candidates", false, "no candidates");

        private final String label;
        private final boolean active;
        private final String reason;

        Mode(String label, boolean active, String reason) {
            this.label = label;
            this.active = active;
            this.reason = reason;
        }

        /** Lower-case name for JSON and metric labels. */
        public String label() {
            return label;
        }

        /** Whether connections prefer the local zone. */
        public boolean active() {
            return active;
        }

        /** A short human explanation for the admin view. */
        public String reason() {
            return reason;
        }
    }

    public ZoneRouting {
        Objects.requireNonNull(mode, "mode");
        localZone = localZone == null ? "" : localZone;
        split = Collections.unmodifiableMap(new LinkedHashMap<>(split));
    }

    /** Whether connections prefer the local zone. */
    public boolean active() {
        return mode.active();
    }

}
