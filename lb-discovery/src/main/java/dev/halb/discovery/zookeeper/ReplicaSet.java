package dev.halb.discovery.zookeeper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of the live replicas, sorted by id, ids unique.
 *
 * <p>{@link #zoneShares()} gives {@code L_z} of the zone-aware rule: each zone's share of the live replicas.
 */
public record ReplicaSet(List<ReplicaInfo> replicas) {

    public static final ReplicaSet EMPTY = new ReplicaSet(List.of());

    public ReplicaSet {
        List<ReplicaInfo> sorted = new ArrayList<>(replicas);
        sorted.sort(Comparator.comparing(ReplicaInfo::id));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw new IllegalArgumentException("replicas: duplicate id '" + sorted.get(i).id() + "'");
            }
        }
        replicas = List.copyOf(sorted);
    }

    public int size() {
        return replicas.size();
    }

    public boolean isEmpty() {
        return replicas.isEmpty();
    }

    /** The replica with this id, or {@code null}. */
    public ReplicaInfo get(String id) {
        for (ReplicaInfo r : replicas) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        return null;
    }

    /**
     * Zone to the share of zoned live replicas in it ({@code L_z}), summing to 1; empty when no
     * replica has a zone. Replicas without a zone are left out of the shares: they do not route by
     * zone, so they take no zone's share of the traffic.
     */
    public Map<String, Double> zoneShares() {
        Map<String, Integer> counts = new TreeMap<>();
        int zoned = 0;
        for (ReplicaInfo r : replicas) {
            if (!r.zone().isEmpty()) {
                counts.merge(r.zone(), 1, Integer::sum);
                zoned++;
            }
        }
        if (zoned == 0) {
            return Map.of();
        }
        Map<String, Double> shares = new TreeMap<>();
        int total = zoned;
        counts.forEach((zone, n) -> shares.put(zone, (double) n / total));
        return Collections.unmodifiableMap(shares);
    }
}
