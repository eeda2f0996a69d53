package dev.halb.bench;

import dev.halb.core.balance.Endpoint;
import dev.halb.core.balance.RegionContext;
import dev.halb.core.balance.RegionRouting;
import dev.halb.core.balance.RegionRoutingRecorder;
import dev.halb.core.balance.VipSelector;
import dev.halb.core.balance.ZoneContext;
import dev.halb.core.balance.ZoneRouting;
import dev.halb.core.balance.ZoneRoutingRecorder;
import dev.halb.core.config.Strategy;
import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Backend selection: one {@link VipSelector#pick} per operation, for every strategy at 3, 30, 300
 * and 3 000 backends spread evenly over zones {@code a}, {@code b} and {@code c}, with weights
 * 100, 200 and 300 and 1 to 17 open connections each (so least-conn scans and p2c compares for
 * real). Zone affinity is on with local zone {@code a} and a replica registry of
 * {@code a:2, b:1, c:1}, so {@code L_a = 1/2 > U_a = 1/3} and picks take the longest path: a
 * zone draw (2/3 local, 1/6 to each other zone) and then a pick within the zone. Client addresses
 * are precomputed (4 096 of them, so Maglev sees distinct hashes); nothing is allocated in the
 * measured loop except by the code under test, which {@code -prof gc} shows as
 * {@code gc.alloc.rate.norm} (expected: 0 B/op).
 *
 * <p>With {@code regions=on} the replica is in region {@code us}, zones {@code a} and {@code b} are
 * in {@code us} and zone {@code c} in {@code eu}, and as many more {@code us} backends as it has
 * candidates are registered but down: {@code h0 = 1/2}, so the local region takes
 * {@code 1.4 * 1/2 = 70 %} of picks and {@code eu} the rest, and inside {@code us} the zone rule
 * still spills over ({@code L_a = 2/3} once {@code eu}'s zone is left out, {@code U_a = 1/2};
 * {@code minBackends} is 2 so that 3 backends split too). A pick then takes the longest path of
 * all: a level draw, a zone draw, a pick within the zone (or the level draw and a pick among
 * {@code eu}'s candidates).
 *
 * <p>{@link #rebuild} measures the off-hot-path side: republishing after one backend of zone
 * {@code b} leaves or comes back (a health change), which rebuilds that zone's picker (for
 * Maglev a 65 537-slot table) and the zone split, and reuses the other zones' pickers.
 *
 * <pre>
 * mvn -B -q -pl lb-bench -am package -DskipTests
 * java -jar lb-bench/target/benchmarks.jar SelectionBenchmark.pick -prof gc
 * java -jar lb-bench/target/benchmarks.jar SelectionBenchmark.pick -p strategy=maglev -p backends=3000
 * java -jar lb-bench/target/benchmarks.jar SelectionBenchmark.pick -p regions=on -prof gc
 * java -jar lb-bench/target/benchmarks.jar SelectionBenchmark.rebuild -wi 2 -i 3
 * </pre>
 * A short pass on a small machine: {@code -f 1 -wi 2 -w 1s -i 3 -r 1s}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class SelectionBenchmark {

    private static final String[] ZONES = {"a", "b", "c"};
    private static final int[] WEIGHTS = {100, 200, 300};
    private static final int CLIENTS = 4096;

    @State(Scope.Benchmark)
    public static class Vip {

        @Param({"p2c", "round-robin", "least-conn", "random", "maglev"})
        public String strategy;

        @Param({"3", "30", "300", "3000"})
        public int backends;

        /** {@code on}: region failover splitting 70/30 (see the class comment); {@code off}: no regions. */
        @Param({"off", "on"})
        public String regions;

        VipSelector selector;
        List<Endpoint> registered;
        ZoneContext zones;
        List<Endpoint> all;
        List<Endpoint> withoutOne;
        boolean full;

        @Setup(Level.Trial)
        public void setUp() {
            all = new ArrayList<>(backends);
            for (int i = 0; i < backends; i++) {
                String zone = ZONES[i % ZONES.length];
                int weight = WEIGHTS[(i / ZONES.length) % WEIGHTS.length];
                String address = "10." + (i >>> 16) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
                Backend backend = Backend.ofStatic(address, 8080, locality(zone), weight);
                InetAddress resolved = ip(10, i >>> 16, (i >>> 8) & 0xff, i & 0xff);
                Endpoint e = new Endpoint(backend, new InetSocketAddress(resolved, 8080));
                for (int c = (i * 31) % 17 + 1; c > 0; c--) {
                    e.connectionOpened();
                }
                all.add(e);
            }
            withoutOne = new ArrayList<>(all);
            withoutOne.remove(1); // a backend of zone b
            registered = new ArrayList<>(all);
            boolean on = regions.equals("on");
            if (on) {
                // As many local backends down as there are local candidates: h0 = 1/2.
                int local = (int) all.stream().filter(e -> e.region().equals("us")).count();
                for (int k = 0; k < local; k++) {
                    int i = backends + k;
                    Backend down = Backend.ofStatic("10.200." + ((i >>> 8) & 0xff) + "." + (i & 0xff), 8080,
                            locality(ZONES[k % 2]), 100);
                    registered.add(new Endpoint(down, new InetSocketAddress(ip(10, 200, (i >>> 8) & 0xff, i & 0xff),
                            8080)));
                }
            }
            zones = new ZoneContext("a", true, on ? 2 : 3, Map.of("a", 2, "b", 1, "c", 1));
            selector = on
                    ? new VipSelector(Strategy.fromLabel(strategy), 1, ZoneRoutingRecorder.disabled(),
                            new RegionContext("us", true, 1.4), RegionRoutingRecorder.disabled())
                    : new VipSelector(Strategy.fromLabel(strategy), 1);
            selector.update(all, registered, zones);
            full = true;
            ZoneRouting routing = selector.zoneRouting();
            if (routing.mode() != ZoneRouting.Mode.PROPORTIONAL) {
                throw new IllegalStateException("expected proportional zone routing, got " + routing);
            }
            RegionRouting.Mode levels = selector.regionRouting().mode();
            if (levels != (on ? RegionRouting.Mode.FAILOVER : RegionRouting.Mode.DISABLED)) {
                throw new IllegalStateException("unexpected region routing " + selector.regionRouting());
            }
        }

        /** Zones a and b in region us, c in eu, when regions are on; no region when off. */
        private Locality locality(String zone) {
            if (!regions.equals("on")) {
                return Locality.ofZone(zone);
            }
            return new Locality(zone, zone.equals("c") ? "eu" : "us", "");
        }
    }

    @State(Scope.Thread)
    public static class Clients {
        final InetSocketAddress[] addresses = new InetSocketAddress[CLIENTS];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < CLIENTS; i++) {
                int v = 0x64400000 + i * 7919; // spread over 100.64.0.0/10
                addresses[i] = new InetSocketAddress(ip(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff),
                        40_000 + (i & 0x3fff));
            }
        }
    }

    /** One pick for a new connection. */
    @Benchmark
    public Endpoint pick(Vip vip, Clients clients) {
        InetSocketAddress client = clients.addresses[clients.next++ & (CLIENTS - 1)];
        return vip.selector.pick(client);
    }

    /** One republish after a health change in zone b (off the hot path). */
    @Benchmark
    public ZoneRouting rebuild(Vip vip) {
        vip.full = !vip.full;
        vip.selector.update(vip.full ? vip.all : vip.withoutOne, vip.registered, vip.zones);
        return vip.selector.zoneRouting();
    }

    static InetAddress ip(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
