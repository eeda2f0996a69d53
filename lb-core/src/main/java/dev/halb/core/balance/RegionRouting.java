package dev.halb.core.balance;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a VIP's new connections are spread over the local region (priority 0: this replica's region
 * and backends with no region) and the other regions (priority 1) right now, for the admin view
 * and metrics. Recomputed when candidates change, never per connection.
 *
 * @param mode                   whether region failover is in force, and in which state
 * @param localRegion            this replica's region ({@code ""} for none)
 * @param overprovisioningFactor the VIP's factor
 * @param healthyShare           {@code h0}: candidates / registered (not drained) backends of the
 *                               local level; 0 when it has none registered
 * @param localShare             the share of new connections the local level takes; when regions
 *                               are ignored, the local level's share of the candidates' weight
 * @param regions                region -> share of new connections ({@code ""} = backends with no
 *                               region), by weight within each level; every region with
 *                               candidates is listed, in name order
 */
public record RegionRouting(Mode mode, String localRegion, double overprovisioningFactor, double healthyShare,
                            double localShare, Map<String, Double> regions) {

    /** Region failover's state; every fallback has a name. */
    public enum Mode {
        /** {@code factor * h0 >= 1}: every connection stays in the local region. */
        LOCAL_ONLY("local_only", true, "local region has enough healthy capacity"),
        /** {@code factor * h0 < 1}: that share stays local, the rest fails over to other regions. */
        FAILOVER("failover", true, "local region short of healthy capacity, failing over in proportion"),
        /** The local region is short, but no other region has a candidate: every connection stays. */
        NO_REMOTE_CANDIDATES("no_remote_candidates", true,
                "local region short of healthy capacity, no other region has candidates"),
        /** The local region has no candidate: every connection fails over. */
        NO_LOCAL_CANDIDATES("no_local_candidates", true, "local region has no candidates, all fail over"),
        /** Fallback: the VIP's {@code regionFailover.enabled} is false. */
        DISABLED("disabled", false, "regionFailover disabled"),
        /** Fallback: the replica has no region. */
        NO_LOCAL_REGION("no_local_region", false, "no local region"),
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

        /** Whether the local region is preferred (regions shape selection). */
        public boolean active() {
            return active;
        }

        /** A short human explanation for the admin view. */
        public String reason() {
            return reason;
        }
    }

    public RegionRouting {
        Objects.requireNonNull(mode, "mode");
        localRegion = localRegion == null ? "" : localRegion;
        regions = Collections.unmodifiableMap(new LinkedHashMap<>(regions));
    }

    /** Whether the local region is preferred. */
    public boolean active() {
        return mode.active();
    }

    /** The share of new connections that goes to other regions. */
    public double remoteShare() {
        return mode == Mode.NO_CANDIDATES ? 0 : 1 - localShare;
    }
}
