package dev.halb.core.balance;

import dev.halb.core.config.Strategy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses a backend for each new client connection of one VIP.
 *
 * <p>{@link #update} rebuilds the selection from the current candidates, region and zone context
 * (off the hot path: catalog, health, drain and replica-registry changes). With region failover
 * in force it splits the candidates into the local level (this replica's region and backends with
 * no region) and the other regions, and gives the local level {@code min(1, factor * h0)} of new
 * connections ({@code RegionFailover}). Within the local level (or over all candidates when
 * regions are ignored) it plans the zone split (Envoy's zone-aware rule: stay local while the
 * local zone has its share of candidates, spill the rest by surplus). It builds one picker of the
 * VIP's strategy per zone that receives connections and one for the other regions (reusing the
 * previous one where a group's candidates did not change, so Maglev tables are not rebuilt and
 * round-robin keeps its place), and publishes all of it through one {@code volatile}.
 * {@link #pick} reads that field and does arithmetic: it takes no lock and allocates nothing.
 * Updates are serialised on this object; picks never wait for them.
 */
public final class VipSelector {

    private static final Logger log = LoggerFactory.getLogger(VipSelector.class);
    private static final Comparator<Endpoint> BY_ID = Comparator.comparing(Endpoint::id);
    private static final Endpoint[] NONE = new Endpoint[0];

    private final Strategy strategy;
    private final long seed;
    private final ZoneRoutingRecorder recorder;
    private final RegionContext regions;
    private final RegionRoutingRecorder regionRecorder;
    private volatile Selection selection = Selection.EMPTY;
    private volatile boolean recorderFailed;

    /**
     * @param seed per-replica seed, so replicas do not move in lockstep (round-robin start)
     */
    public VipSelector(Strategy strategy, long seed) {
        this(strategy, seed, ZoneRoutingRecorder.disabled());
    }

    /**
     * @param seed     per-replica seed, so replicas do not move in lockstep (round-robin start)
     * @param recorder told about zone-routing mode changes and spill-overs
     */
    public VipSelector(Strategy strategy, long seed, ZoneRoutingRecorder recorder) {
        this(strategy, seed, recorder, RegionContext.NONE, RegionRoutingRecorder.disabled());
    }

    /**
     * @param seed           per-replica seed, so replicas do not move in lockstep (round-robin start)
     * @param recorder       told about zone-routing mode changes and spill-overs
     * @param regions        this replica's region and the VIP's region failover settings
     * @param regionRecorder told about region-routing mode changes
     */
    public VipSelector(Strategy strategy, long seed, ZoneRoutingRecorder recorder, RegionContext regions,
                       RegionRoutingRecorder regionRecorder) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.seed = seed;
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.regions = Objects.requireNonNull(regions, "regions");
        this.regionRecorder = Objects.requireNonNull(regionRecorder, "regionRecorder");
    }

    public Strategy strategy() {
        return strategy;
    }

    /** Publishes a selection over {@code candidates} with no zone preference. */
    public void update(List<Endpoint> candidates) {
        update(candidates, ZoneContext.NONE);
    }

    /**
     * Publishes a selection over {@code candidates} (in any order; they are sorted by id) under
     * {@code zones}, as if every registered backend were a candidate (so region failover moves
     * connections only when the local region has no candidate at all).
     */
    public void update(List<Endpoint> candidates, ZoneContext zones) {
        update(candidates, candidates, zones);
    }

    /**
     * Publishes a selection over {@code candidates} (in any order; they are sorted by id) under
     * {@code zones}. Call it whenever the candidates, the replica registry or the VIP's zone
     * settings change.
     *
     * @param registered the VIP's backends that are not drained (by an operator or their source),
     *                   candidates among them: region failover's healthy share is candidates over
     *                   these, per level
     */
    public synchronized void update(List<Endpoint> candidates, List<Endpoint> registered, ZoneContext zones) {
        Objects.requireNonNull(zones, "zones");
        Endpoint[] sorted = candidates.toArray(NONE);
        Arrays.sort(sorted, BY_ID);
        publish(sorted, registered.toArray(NONE), zones);
    }

    /**
     * Publishes a selection over the current candidates under new {@code zones}, e.g. when a
     * replica joins or leaves the registry. Unchanged zones keep their pickers.
     */
    public synchronized void updateZones(ZoneContext zones) {
        Objects.requireNonNull(zones, "zones");
        Selection s = selection;
        publish(s.candidates, s.registered, zones);
    }

    /** Holds this object's monitor. */
    private void publish(Endpoint[] sorted, Endpoint[] registered, ZoneContext zones) {
        Selection previous = selection;
        RegionFailover.Plan levels = RegionFailover.plan(sorted, registered, regions);
        boolean regional = levels.routing().active();
        List<Picker> built = new ArrayList<>();

        // The level that takes connections first: the local one, or the other regions' when the
        // local has no candidate (zones are then ignored); all candidates when regions are ignored.
        Endpoint[] first = levels.local().length > 0 ? levels.local() : levels.remote();
        ZoneAffinity.Plan plan;
        if (regional && levels.local().length == 0) {
            ZoneRouting all = ZoneAffinity.plan(first, ZoneContext.NONE).routing();
            plan = new ZoneAffinity.Plan(new ZoneRouting(ZoneRouting.Mode.REGION_FAILOVER, zones.localZone(),
                    all.split()), new String[] {null}, new Endpoint[][] {first}, new double[] {1.0}, -1);
        } else {
            plan = ZoneAffinity.plan(first, regional ? RegionFailover.localZones(zones, levels.remoteZones()) : zones);
        }
        Endpoint[][] groups = plan.groups();
        Picker[] pickers = new Picker[groups.length];
        for (int i = 0; i < groups.length; i++) {
            pickers[i] = reuseOrCreate(previous.groupPickers, groups[i]);
            built.add(pickers[i]);
        }
        Picker main;
        ZoneAwarePicker zoned = null;
        if (pickers.length == 0) {
            main = Picker.empty();
        } else if (plan.local() < 0) {
            main = pickers[0];
        } else {
            zoned = new ZoneAwarePicker(first, plan.zones(), pickers, plan.shares(), plan.local(),
                    strategy == Strategy.MAGLEV);
            main = zoned;
        }
        Picker picker = main;
        RegionAwarePicker split = null;
        if (levels.splits()) {
            Picker remote = reuseOrCreate(previous.groupPickers, levels.remote());
            built.add(remote);
            split = new RegionAwarePicker(sorted, main, remote, levels.localShare(), strategy == Strategy.MAGLEV);
            picker = split;
        }
        Endpoint[] scanThen = levels.local().length > 0 ? levels.remote() : NONE;
        selection = new Selection(picker, main, split, zoned, sorted, registered, first, scanThen,
                built.toArray(new Picker[0]), plan.routing(), levels.routing(), zones);

        ZoneRouting.Mode before = previous.routing.mode();
        ZoneRouting.Mode after = plan.routing().mode();
        if (before != after) {
            try {
                recorder.modeChanged(before, after);
            } catch (RuntimeException e) {
                log.warn("zone routing recorder failed; selection goes on", e);
            }
        }
        RegionRouting.Mode regionBefore = previous.regionRouting.mode();
        RegionRouting.Mode regionAfter = levels.routing().mode();
        if (regionBefore != regionAfter) {
            try {
                regionRecorder.modeChanged(regionBefore, regionAfter);
            } catch (RuntimeException e) {
                log.warn("region routing recorder failed; selection goes on", e);
            }
        }
    }

    private Picker reuseOrCreate(Picker[] previous, Endpoint[] group) {
        for (Picker p : previous) {
            // Endpoint equality is identity: a changed backend is a new Endpoint, so a new picker.
            if (Arrays.equals(p.candidates(), group)) {
                return p;
            }
        }
        return create(strategy, group, seed);
    }

    static Picker create(Strategy strategy, Endpoint[] candidates, long seed) {
        if (candidates.length == 0) {
            return Picker.empty();
        }
        return switch (strategy) {
            case P2C -> new P2cPicker(candidates);
            case ROUND_ROBIN -> new RoundRobinPicker(candidates, seed);
            case LEAST_CONN -> new LeastConnPicker(candidates);
            case RANDOM -> new RandomPicker(candidates);
            case MAGLEV -> new MaglevPicker(candidates, MaglevPicker.tableSizeFor(candidates.length));
        };
    }

    /** The current picker (region- and zone-aware when their routing is active). */
    public Picker picker() {
        return selection.picker;
    }

    /** The current candidates, in id order, in every zone. */
    public Endpoint[] candidates() {
        return selection.candidates;
    }

    /** The current zone routing: its mode (active, or which fallback) and split. */
    public ZoneRouting zoneRouting() {
        return selection.routing;
    }

    /**
     * The share of new connections each zone receives now. With zone routing active, the
     * zone-aware split (local with probability U_local / L_local, the rest by each zone's surplus
     * U_z - L_z); without, each zone's share of the candidates' weight.
     */
    public Map<String, Double> zoneSplit() {
        return selection.routing.split();
    }

    /** The current region routing: its mode (failover, or which fallback) and shares. */
    public RegionRouting regionRouting() {
        return selection.regionRouting;
    }

    /** The zone context of the current selection. */
    public ZoneContext zoneContext() {
        return selection.zones;
    }

    /** A candidate for a new connection from {@code client}, or {@code null} when there is none. */
    public Endpoint pick(SocketAddress client) {
        Selection s = selection;
        long hash = clientHash(client);
        RegionAwarePicker regional = s.regional;
        if (regional != null && !regional.staysLocal(hash)) {
            return regional.pickRemote(hash);
        }
        ZoneAwarePicker zoned = s.zoned;
        if (zoned == null) {
            return s.main.pick(hash);
        }
        int zone = zoned.zoneIndex(hash);
        if (zone != zoned.localIndex()) {
            spilledOver(zoned.zone(zone));
        }
        return zoned.pickIn(zone, hash);
    }

    private void spilledOver(String zone) {
        try {
            recorder.spilledOver(zone);
        } catch (RuntimeException e) {
            if (!recorderFailed) {
                recorderFailed = true;
                log.warn("zone routing recorder failed; selection goes on (logged once)", e);
            }
        }
    }

    /**
     * A candidate not among the first {@code triedCount} of {@code tried}, for a retry after a
     * failed connect; {@code null} when every candidate was tried. Envoy's rule: pick again, and
     * reject hosts already tried. After three rejected picks the rest of the candidates, every
     * zone included, are scanned from a random start: the local region's first, then the others.
     */
    public Endpoint pickExcluding(SocketAddress client, Endpoint[] tried, int triedCount) {
        Selection s = selection;
        Picker p = s.picker;
        long hash = clientHash(client);
        for (int attempt = 0; attempt < 3; attempt++) {
            Endpoint e = p.pick(hash + attempt);
            if (e != null && !contains(tried, triedCount, e)) {
                return e;
            }
        }
        Endpoint e = scan(s.scanFirst, tried, triedCount);
        return e != null ? e : scan(s.scanThen, tried, triedCount);
    }

    private static Endpoint scan(Endpoint[] all, Endpoint[] tried, int triedCount) {
        int n = all.length;
        if (n == 0) {
            return null;
        }
        int i = ThreadLocalRandom.current().nextInt(n);
        for (int k = 0; k < n; k++) {
            Endpoint e = all[i];
            if (!contains(tried, triedCount, e)) {
                return e;
            }
            if (++i == n) {
                i = 0;
            }
        }
        return null;
    }

    private static boolean contains(Endpoint[] tried, int count, Endpoint e) {
        for (int i = 0; i < count; i++) {
            if (tried[i] == e || tried[i].id().equals(e.id())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A hash of the client's IP address (not its port) that every replica computes alike:
     * {@code InetAddress.hashCode} is the address itself for IPv4 and a fixed function of the
     * bytes for IPv6, and neither allocates; a SplitMix64 finaliser spreads it over 64 bits.
     */
    public static long clientHash(SocketAddress client) {
        if (client instanceof InetSocketAddress isa) {
            InetAddress address = isa.getAddress();
            if (address != null) {
                return mix(address.hashCode());
            }
        }
        return 0;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
