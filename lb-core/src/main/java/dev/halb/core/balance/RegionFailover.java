package dev.halb.core.balance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/*
 * Regions as failover priorities (Envoy's priority levels with its overprovisioning factor).
 * Zones of one region are about a millisecond apart, regions 100-500 ms: traffic leaves the
 * region only to fail over, in proportion to the capacity lost, never as routine spill-over.
 *
 *   priority 0 (local)   the VIP's backends in this replica's region, and backends with no region
 *   priority 1 (remote)  every other backend
 *
 *   h0     = c0 / r0     candidates over registered backends of priority 0; drained backends
 *                        (by an operator or by their source) count in neither, since draining is
 *                        a decision, not lost capacity
 *   share0 = min(1, factor * h0)    of new connections go to priority 0, the rest to priority 1
 *
 * With the default factor 1.4 priority 0 keeps every connection until fewer than 1 / 1.4 (about
 * 71 %) of its backends are healthy; with 2 of 4 healthy it keeps 1.4 * 0.5 = 70 %. Degenerate
 * cases: no candidate in priority 1 keeps everything in priority 0 (a weak local region beats
 * none), no candidate in priority 0 sends everything to priority 1, none anywhere is
 * NO_CANDIDATES. Envoy also scales priority 1's load by its own health and normalises when the
 * levels' health does not add up to 100 %; with two levels and the last one taking "the rest",
 * that case cannot leave load nowhere to go, so halb does not.
 *
 * Inside priority 0 the zone rule applies (ZoneAffinity, over priority 0's candidates); inside
 * priority 1 the VIP's strategy picks among all its candidates, zones ignored. The zone rule's L_z
 * counts live replicas per zone; replicas of zones where only other regions' backends are
 * registered serve those regions, so those zones are left out of L for priority 0.
 *
 * share0 is computed in doubles from integer counts in a fixed order, so every replica of a region
 * that sees the same backends gets the same split bit for bit: Maglev draws the level from the
 * client hash and relies on that.
 */
final class RegionFailover {

    /**
     * The outcome.
     *
     * @param routing     the mode and shares as the admin view shows them
     * @param local       priority 0's candidates (all candidates when regions are ignored), in id order
     * @param remote      priority 1's candidates, in id order; empty when regions are ignored
     * @param localShare  probability that a new connection goes to {@code local}
     * @param remoteZones zones where only priority 1 backends are registered
     */
    record Plan(RegionRouting routing, Endpoint[] local, Endpoint[] remote, double localShare,
                Set<String> remoteZones) {

        /** Whether a pick draws between the levels (both take a share). */
        boolean splits() {
            return localShare > 0 && localShare < 1;
        }
    }

    private static final Endpoint[] NONE = new Endpoint[0];

    private RegionFailover() {
    }

    /**
     * @param candidates sorted by id
     * @param registered the VIP's backends that are not drained, candidates among them, any order
     */
    static Plan plan(Endpoint[] candidates, Endpoint[] registered, RegionContext context) {
        String region = context.localRegion();
        double factor = context.overprovisioningFactor();
        List<Endpoint> local = new ArrayList<>();
        List<Endpoint> remote = new ArrayList<>();
        for (Endpoint e : candidates) {
            (isLocal(e, region) ? local : remote).add(e);
        }
        Set<String> localZones = new HashSet<>();
        Set<String> remoteZones = new HashSet<>();
        long registeredLocal = 0;
        for (Endpoint e : registered) {
            if (isLocal(e, region)) {
                registeredLocal++;
                localZones.add(e.zone());
            } else {
                remoteZones.add(e.zone());
            }
        }
        for (Endpoint e : local) {
            localZones.add(e.zone()); // a candidate is registered, whatever the caller passed
        }
        remoteZones.removeAll(localZones);
        long c0 = local.size();
        long r0 = Math.max(registeredLocal, c0);
        double healthy = r0 == 0 ? 0 : (double) c0 / r0;

        if (!context.active() || candidates.length == 0) {
            // Regions ignored: one level of all candidates. The view still says how much of the
            // candidates' weight is local, which is roughly what the local region receives.
            RegionRouting.Mode mode = candidates.length == 0 ? RegionRouting.Mode.NO_CANDIDATES
                    : !context.enabled() ? RegionRouting.Mode.DISABLED : RegionRouting.Mode.NO_LOCAL_REGION;
            Map<String, Double> regions = new TreeMap<>(weightShares(candidates, 1.0));
            double localWeight = 0;
            for (Map.Entry<String, Double> e : regions.entrySet()) {
                if (e.getKey().isEmpty() || e.getKey().equals(region)) {
                    localWeight += e.getValue();
                }
            }
            return new Plan(new RegionRouting(mode, region, factor, healthy, localWeight, regions), candidates, NONE,
                    1, Set.of());
        }

        RegionRouting.Mode mode;
        double share;
        if (c0 == 0) {
            mode = RegionRouting.Mode.NO_LOCAL_CANDIDATES;
            share = 0;
        } else if (factor * c0 >= r0) {
            mode = RegionRouting.Mode.LOCAL_ONLY;
            share = 1;
        } else if (remote.isEmpty()) {
            mode = RegionRouting.Mode.NO_REMOTE_CANDIDATES;
            share = 1;
        } else {
            mode = RegionRouting.Mode.FAILOVER;
            share = factor * c0 / r0;
        }
        Endpoint[] l = local.toArray(NONE);
        Endpoint[] r = remote.toArray(NONE);
        Map<String, Double> regions = new TreeMap<>();
        weightShares(l, share).forEach((k, v) -> regions.merge(k, v, Double::sum));
        weightShares(r, 1 - share).forEach((k, v) -> regions.merge(k, v, Double::sum));
        return new Plan(new RegionRouting(mode, region, factor, healthy, share, regions), l, r, share,
                Set.copyOf(remoteZones));
    }

    static boolean isLocal(Endpoint e, String localRegion) {
        String region = e.region();
        return region.isEmpty() || region.equals(localRegion);
    }

    /**
     * The zone context for priority 0: without the replicas of zones where only other regions'
     * backends are registered. A registry left empty by that keeps this replica, counted once in
     * its own zone, so that it is still read as a registry and not as "no registry".
     */
    static ZoneContext localZones(ZoneContext zones, Set<String> remoteZones) {
        Map<String, Integer> replicas = zones.replicasPerZone();
        if (remoteZones.isEmpty() || replicas.isEmpty()) {
            return zones;
        }
        Map<String, Integer> kept = new HashMap<>(replicas);
        kept.keySet().removeAll(remoteZones);
        if (kept.size() == replicas.size()) {
            return zones;
        }
        if (kept.isEmpty()) {
            kept.put(zones.localZone(), 1);
        }
        return zones.withReplicas(kept);
    }

    /** {@code total} split over the endpoints' regions by weight. */
    private static Map<String, Double> weightShares(Endpoint[] endpoints, double total) {
        Map<String, Long> weights = new LinkedHashMap<>();
        long sum = 0;
        for (Endpoint e : endpoints) {
            weights.merge(e.region(), (long) e.weight(), Long::sum);
            sum += e.weight();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> w : weights.entrySet()) {
            out.put(w.getKey(), total * w.getValue() / sum);
        }
        return out;
    }
}
