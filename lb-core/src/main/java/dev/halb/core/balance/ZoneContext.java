package dev.halb.core.balance;

import java.util.Map;
import java.util.Objects;

/**
 * What zone-aware selection needs to know besides the candidates: where this
 * replica runs, the VIP's {@code zoneAffinity} settings, and how many live replicas each zone has.
 *
 * <p>{@code replicasPerZone} is the replica registry ({@code /halb/replicas}) counted by zone;
 * replicas with no zone count under {@code ""}. An empty map means there is no registry (static
 * only): every zone that has candidates then counts equally. When the map is not empty but does
 * not hold this replica's zone (its own node not yet seen), this replica is counted there as one,
 * since it is certainly live.
 *
 * @param localZone       this replica's zone, {@code ""} for none
 * @param enabled         the VIP's {@code zoneAffinity.enabled}
 * @param minBackends     the VIP's {@code zoneAffinity.minBackends}: below this many candidates
 *                        in all, zones are ignored
 * @param replicasPerZone live replicas per zone; empty = no registry
 */
public record ZoneContext(String localZone, boolean enabled, int minBackends, Map<String, Integer> replicasPerZone) {

    /** No zone preference: every pick chooses among all candidates by weight. */
    public static final ZoneContext NONE = new ZoneContext("", false, 0, Map.of());

    public ZoneContext {
        localZone = localZone == null ? "" : localZone.strip();
        if (minBackends < 0) {
            throw new IllegalArgumentException("minBackends: " + minBackends + " (expected: >= 0)");
        }
        Objects.requireNonNull(replicasPerZone, "replicasPerZone");
        for (Map.Entry<String, Integer> e : replicasPerZone.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("replicasPerZone: " + e.getKey() + "=" + e.getValue()
                        + " (expected: a zone and a count >= 0)");
            }
        }
        replicasPerZone = Map.copyOf(replicasPerZone);
    }

    /** Zone affinity from this replica's zone and the VIP's settings, with no registry (yet). */
    public static ZoneContext of(String localZone, boolean enabled, int minBackends) {
        return new ZoneContext(localZone, enabled, minBackends, Map.of());
    }

    /** The same settings with another registry view. */
    public ZoneContext withReplicas(Map<String, Integer> replicasPerZone) {
        return new ZoneContext(localZone, enabled, minBackends, replicasPerZone);
    }
}
