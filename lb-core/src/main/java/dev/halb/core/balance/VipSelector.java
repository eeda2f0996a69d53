package dev.halb.core.balance;

import dev.halb.core.config.Strategy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
 * <p>{@link #update} rebuilds the selection from the current candidates and zone context (off the
 * hot path: catalog, health, drain and replica-registry changes): it plans the zone split
 * (Envoy's zone-aware rule: stay local while the local zone has its share of candidates, spill
 * the rest by surplus), builds one picker of the VIP's strategy per zone that receives connections
 * (reusing the previous one where a zone's candidates did not change, so Maglev tables are not
 * rebuilt and round-robin keeps its place), and publishes all of it through one {@code volatile}.
 * {@link #pick} reads that field and does arithmetic: it takes no lock and allocates nothing.
 * Updates are serialised on this object; picks never wait for them.
 */
public final class VipSelector {

    private static final Logger log = LoggerFactory.getLogger(VipSelector.class);
    private static final Comparator<Endpoint> BY_ID = Comparator.comparing(Endpoint::id);

    private final Strategy strategy;
    private final long seed;
    private final ZoneRoutingRecorder recorder;
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
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.seed = seed;
        this.recorder = Objects.requireNonNull(recorder, "recorder");
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
     * {@code zones}. Call it whenever the candidates, the replica registry or the VIP's zone
     * settings change.
     */
    public synchronized void update(List<Endpoint> candidates, ZoneContext zones) {
        Objects.requireNonNull(zones, "zones");
        Endpoint[] sorted = candidates.toArray(new Endpoint[0]);
        Arrays.sort(sorted, BY_ID);
        publish(sorted, zones);
    }

    /**
     * Publishes a selection over the current candidates under new {@code zones}, e.g. when a
     * replica joins or leaves the registry. Unchanged zones keep their pickers.
     */
    public synchronized void updateZones(ZoneContext zones) {
        Objects.requireNonNull(zones, "zones");
        publish(selection.candidates, zones);
    }

    /** Holds this object's monitor. */
    private void publish(Endpoint[] sorted, ZoneContext zones) {
        Selection previous = selection;
        ZoneAffinity.Plan plan = ZoneAffinity.plan(sorted, zones);
        Endpoint[][] groups = plan.groups();
        Picker[] pickers = new Picker[groups.length];
        for (int i = 0; i < groups.length; i++) {
            pickers[i] = reuseOrCreate(previous.groupPickers, groups[i]);
        }
        Picker picker;
        ZoneAwarePicker zoned = null;
        if (pickers.length == 0) {
            picker = Picker.empty();
        } else if (plan.local() < 0) {
            picker = pickers[0];
        } else {
            zoned = new ZoneAwarePicker(sorted, plan.zones(), pickers, plan.shares(), plan.local(),
                    strategy == Strategy.MAGLEV);
            picker = zoned;
        }
        selection = new Selection(picker, zoned, sorted, pickers, plan.routing(), zones);
        ZoneRouting.Mode before = previous.routing.mode();
        ZoneRouting.Mode after = plan.routing().mode();
        if (before != after) {
            try {
                recorder.modeChanged(before, after);
            } catch (RuntimeException e) {
                log.warn("zone routing recorder failed; selection goes on", e);
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

    /** The current picker (zone-aware when zone routing is active). */
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

    /** The zone context of the current selection. */
    public ZoneContext zoneContext() {
        return selection.zones;
    }

    /** A candidate for a new connection from {@code client}, or {@code null} when there is none. */
    public Endpoint pick(SocketAddress client) {
        Selection s = selection;
        long hash = clientHash(client);
        ZoneAwarePicker zoned = s.zoned;
        if (zoned == null) {
            return s.picker.pick(hash);
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
     * zone included, are scanned from a random start.
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
        Endpoint[] all = s.candidates;
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
