package dev.halb.core.balance;

import static dev.halb.core.balance.TestEndpoints.endpoint;
import static dev.halb.core.balance.TestEndpoints.replicas;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.config.Strategy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No pick returns an endpoint that is not a candidate, while candidates change concurrently.
 *
 * <p>Generation g's candidates are endpoints g .. g+WINDOW-1 of a pool, spread over three zones,
 * so an endpoint once removed never comes back. A pick that starts after generation lo was
 * published and ends before generation hi+1 starts must return an endpoint of some generation
 * in lo..hi: an index in [lo, hi + WINDOW). Anything below was removed before the pick began,
 * anything above was added after it ended.
 */
class ConcurrentSelectionTest {

    private static final int WINDOW = 12;
    private static final int GENERATIONS = 300;
    private static final int PICKERS = 3;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void picksAreAlwaysCurrentCandidates(Strategy strategy) throws Exception {
        Endpoint[] pool = new Endpoint[GENERATIONS + WINDOW];
        String[] zoneNames = {"a", "b", "c"};
        for (int i = 0; i < pool.length; i++) {
            pool[i] = endpoint(i, zoneNames[i % 3], 50 + (i % 4) * 50);
        }
        InetSocketAddress[] clients = TestEndpoints.clients(1024);
        List<Map<String, Integer>> registries = List.of(replicas("a", 1, "b", 1, "c", 1),
                replicas("a", 3, "b", 1), replicas("a", 1, "b", 2, "c", 2), Map.of());

        VipSelector selector = new VipSelector(strategy, 5);
        ZoneContext context = new ZoneContext("a", true, 3, registries.get(0));
        selector.update(window(pool, 0), context);
        // started: the newest generation an update has begun; published: the newest it has finished.
        AtomicLong started = new AtomicLong();
        AtomicLong published = new AtomicLong();
        AtomicLong picks = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        CountDownLatch ready = new CountDownLatch(PICKERS);
        CountDownLatch done = new CountDownLatch(1);

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < PICKERS; t++) {
            int offset = t * 101;
            threads.add(new Thread(() -> {
                Endpoint[] tried = new Endpoint[2];
                ready.countDown();
                for (int k = 0; done.getCount() > 0 && failure.get() == null; k++) {
                    InetSocketAddress client = clients[(k + offset) & 1023];
                    long lo = published.get();
                    Endpoint first = selector.pick(client);
                    tried[0] = first;
                    Endpoint retry = selector.pickExcluding(client, tried, 1);
                    long hi = started.get();
                    check(first, lo, hi, "pick", failure);
                    check(retry, lo, hi, "pickExcluding", failure);
                    if (retry == first) {
                        failure.compareAndSet(null, "pickExcluding returned the excluded " + first);
                    }
                    picks.incrementAndGet();
                }
            }, "picker-" + t));
        }
        threads.forEach(Thread::start);
        ready.await();
        for (int g = 1; g <= GENERATIONS && System.nanoTime() < deadline && failure.get() == null; g++) {
            started.set(g);
            if (g % 7 == 0) {
                // a replica registry change between candidate changes
                context = context.withReplicas(registries.get((g / 7) % registries.size()));
                selector.updateZones(context);
            }
            selector.update(window(pool, g), context);
            published.set(g);
        }
        done.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }

        assertThat(failure.get()).isNull();
        assertThat(published.get()).isGreaterThan(10);
        assertThat(picks.get()).isGreaterThan(1000);
    }

    private static void check(Endpoint e, long lo, long hi, String what, AtomicReference<String> failure) {
        if (e == null) {
            failure.compareAndSet(null, what + " returned null while every generation had candidates");
            return;
        }
        int index = TestEndpoints.index(e);
        if (index < lo || index >= hi + WINDOW) {
            failure.compareAndSet(null, what + " returned " + e + " (index " + index
                    + "), not a candidate of any generation in " + lo + ".." + hi);
        }
    }

    private static List<Endpoint> window(Endpoint[] pool, int generation) {
        List<Endpoint> out = new ArrayList<>(WINDOW);
        for (int i = generation; i < generation + WINDOW; i++) {
            out.add(pool[i]);
        }
        return out;
    }
}
