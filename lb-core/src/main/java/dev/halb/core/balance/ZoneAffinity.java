package dev.halb.core.balance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/*
 * Envoy's zone-aware rule, fed by the replica registry instead of a local
 * cluster. With n candidates, c_z of them in zone z, and r_z of R live replicas in zone z:
 *
 *   U_z = c_z / n                      share of the VIP's candidates in zone z
 *   L_z = r_z / R                      share of replicas in zone z (1 / zones-with-candidates
 *                                      when there is no registry)
 *   U_local >= L_local                 every connection stays local (LOCAL_ONLY)
 *   otherwise                          local with probability U_local / L_local, the rest to the
 *                                      other zones in proportion to max(0, U_z - L_z), or to U_z
 *                                      where every residual is 0 (PROPORTIONAL)
 *
 * U counts candidates, not weights, as DESIGN and Envoy define it: weights decide the share of a
 * backend within its zone. The LOCAL_ONLY test is done on integers (c_local * R >= r_local * n)
 * so that replicas never disagree on a boundary through rounding; the shares are doubles computed
 * in zone-name order, so replicas with the same inputs get bit-identical splits (which Maglev
 * relies on: its zone draw comes from the client hash). Backends with no zone form the "" zone.
 *
 * Zones are ignored (a plain pick over all candidates by weight) when the replica has no zone,
 * affinity is disabled, there are fewer than minBackends candidates, or the local zone has none;
 * each of these has its own Mode.
 */
final class ZoneAffinity {

    /**
     * The outcome: which groups of candidates picks choose between, and with what probability.
     *
     * @param routing the mode and the split as the admin view shows it
     * @param zones   the zone of each group ({@code null} for the single group of all candidates)
     * @param groups  candidates per group, in id order; only groups with a positive share
     * @param shares  probability of each group, summing to 1
     * @param local   index of the local zone's group, or -1 when zones are ignored
     */
    record Plan(ZoneRouting routing, String[] zones, Endpoint[][] groups, double[] shares, int local) {
    }

    private ZoneAffinity() {
    }

    /** @param candidates sorted by id */
    static Plan plan(Endpoint[] candidates, ZoneContext context) {
        String local = context.localZone();
        int n = candidates.length;
        if (n == 0) {
            return new Plan(new ZoneRouting(ZoneRouting.Mode.NO_CANDIDATES, local, Map.of()),
                    new String[0], new Endpoint[0][], new double[0], -1);
        }
        TreeMap<String, List<Endpoint>> byZone = new TreeMap<>();
        for (Endpoint e : candidates) {
            byZone.computeIfAbsent(e.zone(), z -> new ArrayList<>()).add(e);
        }
        ZoneRouting.Mode fallback = null;
        if (!context.enabled()) {
            fallback = ZoneRouting.Mode.DISABLED;
        } else if (local.isEmpty()) {
            fallback = ZoneRouting.Mode.NO_LOCAL_ZONE;
        } else if (n < context.minBackends()) {
            fallback = ZoneRouting.Mode.BELOW_MIN_BACKENDS;
        } else if (!byZone.containsKey(local)) {
            fallback = ZoneRouting.Mode.NO_LOCAL_CANDIDATES;
        }
        if (fallback != null) {
            return new Plan(new ZoneRouting(fallback, local, weightShares(byZone)),
                    new String[] {null}, new Endpoint[][] {candidates}, new double[] {1.0}, -1);
        }

        // L as integer counts: replicas per zone (R = their sum), or one per zone with candidates.
        TreeMap<String, Long> replicas = new TreeMap<>();
        if (context.replicasPerZone().isEmpty()) {
            for (String z : byZone.keySet()) {
                replicas.put(z, 1L);
            }
        } else {
            context.replicasPerZone().forEach((z, count) -> replicas.put(z, (long) count));
            // This replica is live even before the registry shows its own node.
            replicas.merge(local, 1L, (a, b) -> a == 0 ? 1L : a);
        }
        long totalReplicas = 0;
        for (long r : replicas.values()) {
            totalReplicas += r;
        }
        long localCandidates = byZone.get(local).size();
        long localReplicas = replicas.getOrDefault(local, 0L);

        Map<String, Double> split = new LinkedHashMap<>();
        if (localCandidates * totalReplicas >= localReplicas * n) {
            for (String z : byZone.keySet()) {
                split.put(z, z.equals(local) ? 1.0 : 0.0);
            }
            Endpoint[] group = byZone.get(local).toArray(new Endpoint[0]);
            return new Plan(new ZoneRouting(ZoneRouting.Mode.LOCAL_ONLY, local, split),
                    new String[] {local}, new Endpoint[][] {group}, new double[] {1.0}, 0);
        }

        double localShare = ((double) localCandidates / n) / ((double) localReplicas / totalReplicas);
        Map<String, Double> residual = new LinkedHashMap<>();
        double residualSum = 0;
        for (Map.Entry<String, List<Endpoint>> e : byZone.entrySet()) {
            String z = e.getKey();
            if (z.equals(local)) {
                continue;
            }
            double u = (double) e.getValue().size() / n;
            double l = (double) replicas.getOrDefault(z, 0L) / totalReplicas;
            double r = Math.max(0.0, u - l);
            residual.put(z, r);
            residualSum += r;
        }
        if (residualSum <= 0) {
            // Cannot happen with exact arithmetic (U_local < L_local leaves residual elsewhere);
            // kept so that rounding can never leave the spill-over share nowhere to go.
            residualSum = 0;
            for (Map.Entry<String, Double> e : residual.entrySet()) {
                double u = (double) byZone.get(e.getKey()).size() / n;
                e.setValue(u);
                residualSum += u;
            }
        }
        List<String> zones = new ArrayList<>();
        List<Endpoint[]> groups = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        int localIndex = -1;
        for (Map.Entry<String, List<Endpoint>> e : byZone.entrySet()) {
            String z = e.getKey();
            double share = z.equals(local) ? localShare : (1.0 - localShare) * residual.get(z) / residualSum;
            split.put(z, share);
            if (share > 0) {
                if (z.equals(local)) {
                    localIndex = zones.size();
                }
                zones.add(z);
                groups.add(e.getValue().toArray(new Endpoint[0]));
                shares.add(share);
            }
        }
        double[] s = new double[shares.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = shares.get(i);
        }
        return new Plan(new ZoneRouting(ZoneRouting.Mode.PROPORTIONAL, local, split),
                zones.toArray(new String[0]), groups.toArray(new Endpoint[0][]), s, localIndex);
    }

    /** Each zone's share of the candidates' total weight: the split when zones are ignored. */
    private static Map<String, Double> weightShares(TreeMap<String, List<Endpoint>> byZone) {
        long total = 0;
        for (List<Endpoint> zone : byZone.values()) {
            for (Endpoint e : zone) {
                total += e.weight();
            }
        }
        Map<String, Double> split = new LinkedHashMap<>();
        for (Map.Entry<String, List<Endpoint>> e : byZone.entrySet()) {
            long w = 0;
            for (Endpoint endpoint : e.getValue()) {
                w += endpoint.weight();
            }
            split.put(e.getKey(), (double) w / total);
        }
        return split;
    }
}
