package dev.halb.core.balance;

import dev.halb.core.config.Strategy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses a backend for each new client connection of one VIP.
 *
 * <p>{@link #update} rebuilds the picker from the current candidates (off the hot path: catalog,
 * health and drain changes); {@link #pick} reads the one {@code volatile} and does arithmetic.
 */
public final class VipSelector {

    private final Strategy strategy;
    private final long seed;
    private volatile Picker picker = Picker.empty();

    /**
     * @param seed per-replica seed, so replicas do not move in lockstep (round-robin start)
     */
    public VipSelector(Strategy strategy, long seed) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.seed = seed;
    }

    public Strategy strategy() {
        return strategy;
    }

    /** Publishes a picker over {@code candidates}. */
    public void update(List<Endpoint> candidates) {
        picker = create(strategy, candidates.toArray(new Endpoint[0]), seed);
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
            case MAGLEV -> new MaglevPicker(candidates, MaglevPicker.DEFAULT_TABLE_SIZE);
        };
    }

    public Picker picker() {
        return picker;
    }

    /** The current candidates. */
    public Endpoint[] candidates() {
        return picker.candidates();
    }

    /** A candidate for a new connection from {@code client}, or {@code null} when there is none. */
    public Endpoint pick(SocketAddress client) {
        return picker.pick(clientHash(client));
    }

    /**
     * A candidate not among the first {@code triedCount} of {@code tried}, for a retry after a
     * failed connect; {@code null} when every candidate was tried. Envoy's rule: pick again, and
     * reject hosts already tried.
     */
    public Endpoint pickExcluding(SocketAddress client, Endpoint[] tried, int triedCount) {
        Picker p = picker;
        long hash = clientHash(client);
        for (int attempt = 0; attempt < 3; attempt++) {
            Endpoint e = p.pick(hash + attempt);
            if (e != null && !contains(tried, triedCount, e)) {
                return e;
            }
        }
        Endpoint[] all = p.candidates();
        if (all.length == 0) {
            return null;
        }
        int start = ThreadLocalRandom.current().nextInt(all.length);
        for (int i = 0; i < all.length; i++) {
            Endpoint e = all[(start + i) % all.length];
            if (!contains(tried, triedCount, e)) {
                return e;
            }
        }
        return null;
    }

    private static boolean contains(Endpoint[] tried, int count, Endpoint e) {
        for (int i = 0; i < count; i++) {
            if (tried[i].id().equals(e.id())) {
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
