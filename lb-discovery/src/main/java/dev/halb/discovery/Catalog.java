package dev.halb.discovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the backends of every {@link BackendSource} per service and publishes one immutable
 * {@link BackendSet} per service to its subscribers.
 *
 * <ul>
 *   <li>A subscriber gets the current set at once when it subscribes, then every change; a set
 *       equal to the last one published is not published again.</li>
 *   <li>Subscribers are called one at a time, in the order changes were merged, and never while
 *       a lock is held (a {@link SnapshotPublisher} per service), so none ever gets an older set
 *       after a newer one. A subscriber that throws is logged and does not stop the others.</li>
 *   <li>Where two sources report the same backend id, the source started first wins.</li>
 * </ul>
 */
public final class Catalog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Catalog.class);

    private final List<BackendSource> sources;
    private final Object lock = new Object();
    /** service -> source -> that source's latest list; guarded by {@link #lock}. */
    private final Map<String, Map<BackendSource, List<Backend>>> reported = new HashMap<>();
    /** service -> last merged set; guarded by {@link #lock}. */
    private final Map<String, BackendSet> merged = new HashMap<>();
    /** service -> its stream of sets; guarded by {@link #lock}. */
    private final Map<String, SnapshotPublisher<BackendSet>> published = new HashMap<>();
    private final AtomicInteger state = new AtomicInteger(NEW);

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    public Catalog(List<? extends BackendSource> sources) {
        this.sources = List.copyOf(sources);
    }

    /** Starts every source. Subscriptions may be made before or after. */
    public void start() throws Exception {
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException("catalog already started or closed");
        }
        for (BackendSource source : sources) {
            source.start(this::onBackends);
        }
    }

    /**
     * Subscribes to one service's backends. The listener is called with the current set (empty
     * when nothing is known yet) before this method returns or soon after, then on every change.
     *
     * @return closing it stops the calls
     */
    public AutoCloseable subscribe(String service, Consumer<BackendSet> listener) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(listener, "listener");
        SnapshotPublisher<BackendSet> p;
        synchronized (lock) {
            p = publisher(service);
        }
        return p.subscribe(listener);
    }

    /** Holds {@link #lock}. */
    private SnapshotPublisher<BackendSet> publisher(String service) {
        return published.computeIfAbsent(service, s -> new SnapshotPublisher<>("service " + s,
                merged.getOrDefault(s, BackendSet.empty(s))));
    }

    /** The current set of a service, empty when nothing is known. */
    public BackendSet backends(String service) {
        synchronized (lock) {
            return merged.getOrDefault(service, BackendSet.empty(service));
        }
    }

    /** Every service some source reported, with its current set. */
    public Map<String, BackendSet> snapshot() {
        synchronized (lock) {
            return Map.copyOf(merged);
        }
    }

    private void onBackends(BackendSource source, String service, List<Backend> backends) {
        SnapshotPublisher<BackendSet> p = null;
        synchronized (lock) {
            Map<BackendSource, List<Backend>> bySource = reported.computeIfAbsent(service, s -> new HashMap<>());
            bySource.put(source, List.copyOf(backends));
            BackendSet next = merge(service, bySource);
            if (!next.equals(merged.get(service))) {
                merged.put(service, next);
                log.debug("service {}: {} backends", service, next.size());
                // Offered under this lock, so that listeners see sets in the order they were merged.
                p = publisher(service);
                p.offer(next);
            }
        }
        if (p != null) {
            p.drain();
        }
    }

    private BackendSet merge(String service, Map<BackendSource, List<Backend>> bySource) {
        Map<String, Backend> byId = new LinkedHashMap<>();
        for (BackendSource source : sources) {
            List<Backend> list = bySource.get(source);
            if (list == null) {
                continue;
            }
            for (Backend backend : list) {
                byId.putIfAbsent(backend.id(), backend);
            }
        }
        return new BackendSet(service, new ArrayList<>(byId.values()));
    }

    @Override
    public void close() {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        for (BackendSource source : sources) {
            try {
                source.close();
            } catch (RuntimeException e) {
                log.warn("closing source {} failed", source.name(), e);
            }
        }
    }
}
