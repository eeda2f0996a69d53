package dev.halb.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Publishers racing subscribers: several threads publish at once while subscribers come and go,
 * and no subscriber ever goes back to an older snapshot. "Older" is the order in which the owner
 * applied the changes, which is what its current snapshot reflects: every subscriber sees versions
 * in that order and ends on the current snapshot. Before snapshots were queued under the owner's
 * lock, the catalog could hand a subscriber set 2 and then set 1, and the subscriber kept set 1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SnapshotOrderTest {

    private static final int THREADS = 4;
    private static final int ROUNDS = 60;
    private static final int PUBLISHES_PER_THREAD = 40;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void catalogSubscribersEndOnTheCurrentSetAndNeverGoBack() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            CatalogTest.ManualSource source = new CatalogTest.ManualSource();
            try (Catalog catalog = new Catalog(List.of(source))) {
                catalog.start();
                // The version is a backend's port; the catalog's merged order is the truth.
                race(v -> {
                    source.report("web", backend(v));
                    return null;
                }, subscriber -> catalog.subscribe("web", set -> subscriber.seen.add(version(set))),
                        () -> version(catalog.backends("web")));
            }
        }
    }

    @Test
    void publisherSubscribersEndOnTheLatestAndNeverGoBack() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            SnapshotPublisher<Long> publisher = new SnapshotPublisher<>("test", 0L);
            race(v -> {
                publisher.publish(v);
                return null;
            }, subscriber -> publisher.subscribe(subscriber.seen::add), publisher::latest);
        }
    }

    /** What one subscriber saw, in order. */
    private static final class Subscriber {
        final List<Long> seen = new CopyOnWriteArrayList<>();
    }

    @FunctionalInterface
    private interface Subscribe {
        AutoCloseable to(Subscriber s) throws Exception;
    }

    @FunctionalInterface
    private interface Current {
        long get();
    }

    /**
     * {@value #THREADS} threads publish versions while subscribers join; then every subscriber must
     * end on the current version, and all must have seen one common order (each a suffix of the
     * longest, since later subscribers start later).
     */
    private void race(LongFunction<Void> publish, Subscribe subscribe, Current current) throws Exception {
        AtomicLong versions = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < PUBLISHES_PER_THREAD; i++) {
                    publish.apply(versions.incrementAndGet());
                }
                return null;
            }));
        }
        List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
        List<AutoCloseable> subscriptions = new CopyOnWriteArrayList<>();
        Subscriber first = new Subscriber();
        subscribers.add(first);
        subscriptions.add(subscribe.to(first));
        done.add(pool.submit(() -> {
            go.await();
            for (int i = 0; i < 8; i++) {
                Subscriber s = new Subscriber();
                subscribers.add(s);
                subscriptions.add(subscribe.to(s));
                Thread.yield();
            }
            return null;
        }));
        go.countDown();
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        long now = current.get();
        List<Long> reference = first.seen;
        for (Subscriber s : subscribers) {
            assertThat(s.seen).as("a subscriber gets something").isNotEmpty();
            assertThat(s.seen.get(s.seen.size() - 1)).as("ends on the current snapshot; saw %s", s.seen)
                    .isEqualTo(now);
            // Later subscribers start later: what they saw is the tail of what the first saw.
            int from = reference.indexOf(s.seen.get(0));
            assertThat(from).as("first version %s seen by the first subscriber too", s.seen.get(0))
                    .isNotNegative();
            assertThat(s.seen).as("the same order as every other subscriber")
                    .isEqualTo(reference.subList(from, reference.size()));
            for (int i = 1; i < s.seen.size(); i++) {
                assertThat(s.seen.get(i)).as("no snapshot twice in a row: %s", s.seen).isNotEqualTo(s.seen.get(i - 1));
            }
        }
        for (AutoCloseable c : subscriptions) {
            c.close();
        }
    }

    private static Backend backend(long version) {
        return new Backend("b", "127.0.0.1", (int) version, Locality.ofZone("a"), 100, BackendOrigin.ZOOKEEPER, true);
    }

    private static long version(BackendSet set) {
        return set.backends().isEmpty() ? 0 : set.backends().get(0).port();
    }
}
