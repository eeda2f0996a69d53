package dev.halb.discovery.zookeeper;

import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backends registered in ZooKeeper under {@code <root>/services/<service>/<instanceId>} by
 * Curator's {@code ServiceDiscovery} (or anything that writes its format), for every service at
 * once.
 *
 * <h2>How</h2>
 * One {@link TreeWatch} (a CuratorCache) on {@code <root>/services}. Each instance node is decoded
 * on its own by {@link ServiceInstanceCodec}; a node that cannot be read is skipped, logged once per
 * path and version, and reported to the {@link DiscoveryRecorder}, while its siblings keep serving.
 * Changes mark their service dirty; a dirty service's whole list is published to the listener
 * after a short quiet period ({@link #DEFAULT_COALESCE} by default), so a burst of changes (a
 * rebuild after reconnecting, Curator's delete-and-create when it re-registers an instance) is
 * one publication, not a flicker. Nothing is published before the first full read, so a replica
 * never starts with a partial list.
 *
 * <h2>Static stability</h2>
 * Losing the connection or the session publishes nothing: the cache keeps what it had until it
 * has re-read ZooKeeper, and then reports only real changes (an instance registered during the
 * outage appears; one whose ephemeral node went with its expired session disappears). A list
 * becomes empty only when ZooKeeper says that every instance of the service is gone.
 *
 * <p>{@link Backend#id()} is the instance id, {@link Backend#source()} is
 * {@link dev.halb.discovery.BackendOrigin#ZOOKEEPER}. Filtering by address (allowed CIDRs) and name
 * resolution are the caller's business.
 */
public final class ZooKeeperBackendSource implements BackendSource {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperBackendSource.class);

    /** How long changes are gathered before a service's list is published. */
    public static final Duration DEFAULT_COALESCE = Duration.ofMillis(50);

    private static final Comparator<Backend> BY_ID = Comparator.comparing(Backend::id);

    private final ZooKeeperConnection connection;
    private final String servicesPath;
    private final long coalesceNanos;
    private final RejectLog rejects;
    private final TreeWatch watch;
    private final ScheduledExecutorService publisher;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    /** Counted down when the first flush after the first full read is done. */
    private final CountDownLatch firstFlush = new CountDownLatch(1);

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final Object lock = new Object();
    /** service -> node name -> backend; guarded by {@link #lock}. */
    private final Map<String, Map<String, Backend>> instances = new HashMap<>();
    /** Services changed since the last flush; guarded by {@link #lock}. */
    private final Set<String> dirty = new HashSet<>();
    /** Set once the first full read is done; before that nothing is published. */
    private volatile boolean ready;
    /** service -> list last given to the listener; only touched on the publisher thread. */
    private final Map<String, List<Backend>> published = new HashMap<>();
    private volatile Listener listener;

    public ZooKeeperBackendSource(ZooKeeperConnection connection, DiscoveryRecorder recorder) {
        this(connection, recorder, DEFAULT_COALESCE);
    }

    /** @param coalesce quiet period before a changed service is published; zero publishes at once */
    public ZooKeeperBackendSource(ZooKeeperConnection connection, DiscoveryRecorder recorder, Duration coalesce) {
        this.connection = Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(recorder, "recorder");
        Objects.requireNonNull(coalesce, "coalesce");
        if (coalesce.isNegative()) {
            throw new IllegalArgumentException("coalesce: " + coalesce + " (expected: >= 0)");
        }
        this.servicesPath = connection.settings().servicesPath();
        this.coalesceNanos = coalesce.toNanos();
        this.rejects = new RejectLog("service instance", recorder);
        this.watch = new TreeWatch(connection.curator(), servicesPath, new Handler());
        this.publisher = DaemonThreads.single("halb-zk-backends");
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    /**
     * Starts watching. When connected, waits up to {@code connectionTimeoutMs} for the first full
     * read so that the listener's first lists are complete; when not, returns at once and reports
     * once ZooKeeper answers.
     */
    @Override
    public void start(Listener l) throws InterruptedException {
        Objects.requireNonNull(l, "listener");
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException("source already started or closed");
        }
        this.listener = l;
        watch.start();
        if (connection.state().connected()) {
            long waitMs = connection.settings().connectionTimeoutMs();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            if (!watch.awaitInitialized(Duration.ofMillis(waitMs))) {
                // Better a list that grows than none at all while the first read is somehow stuck.
                log.warn("first read of {} not done after {} ms: publishing what is known", servicesPath, waitMs);
                becomeReady();
            }
            // The listener has the complete lists before start returns (a replica binds VIPs next).
            firstFlush.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } else {
            log.info("ZooKeeper not connected: backends under {} are reported once it is", servicesPath);
        }
    }

    /** Every service's instances known now (decoded, rejected ones left out), sorted by id. */
    public Map<String, List<Backend>> snapshot() {
        Map<String, List<Backend>> out = new TreeMap<>();
        synchronized (lock) {
            instances.forEach((service, byNode) -> out.put(service, sorted(byNode)));
        }
        return out;
    }

    private final class Handler implements TreeWatch.Handler {
        @Override
        public void changed(List<String> segments, ChildData data) {
            if (segments.size() != 2) {
                return; // a service node has no body we need; deeper nodes are not instances
            }
            String service = segments.get(0);
            String nodeName = segments.get(1);
            ServiceInstanceCodec.Result result = ServiceInstanceCodec.decode(nodeName, data.getData());
            synchronized (lock) {
                Map<String, Backend> byNode = instances.computeIfAbsent(service, s -> new HashMap<>());
                if (result instanceof ServiceInstanceCodec.Accepted accepted) {
                    byNode.put(nodeName, accepted.backend());
                } else {
                    byNode.remove(nodeName); // a node that became unreadable no longer serves
                    if (byNode.isEmpty()) {
                        instances.remove(service);
                    }
                }
                dirty.add(service);
            }
            if (result instanceof ServiceInstanceCodec.Rejected rejected) {
                rejects.reject(data.getPath(), data.getStat().getVersion(), rejected.reason());
            } else {
                rejects.clear(data.getPath());
            }
            scheduleFlush();
        }

        @Override
        public void deleted(List<String> segments, ChildData previous) {
            if (segments.size() > 2) {
                return;
            }
            String service = segments.get(0);
            synchronized (lock) {
                Map<String, Backend> byNode = instances.get(service);
                if (byNode != null) {
                    if (segments.size() == 2) {
                        byNode.remove(segments.get(1));
                    } else {
                        byNode.clear(); // the service node went; its children went before it
                    }
                    if (byNode.isEmpty()) {
                        instances.remove(service);
                    }
                }
                dirty.add(service);
            }
            rejects.clear(previous.getPath());
            scheduleFlush();
        }

        @Override
        public void initialized() {
            becomeReady();
        }
    }

    private void becomeReady() {
        synchronized (lock) {
            if (ready) {
                return;
            }
            ready = true;
            dirty.addAll(instances.keySet());
        }
        // The first publication goes at once: there is nothing to coalesce with.
        if (state.get() == STARTED && flushScheduled.compareAndSet(false, true)) {
            try {
                publisher.execute(this::flush);
            } catch (RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    private void scheduleFlush() {
        if (!ready || state.get() != STARTED || !flushScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            publisher.schedule(this::flush, coalesceNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** Runs on the publisher thread: publishes each dirty service whose list changed. */
    private void flush() {
        // Cleared first: a change that lands while we publish schedules the next flush.
        flushScheduled.set(false);
        Map<String, List<Backend>> changed = new TreeMap<>();
        synchronized (lock) {
            for (String service : dirty) {
                Map<String, Backend> byNode = instances.get(service);
                changed.put(service, byNode == null ? List.of() : sorted(byNode));
            }
            dirty.clear();
        }
        Listener l = listener;
        changed.forEach((service, list) -> {
            if (state.get() != STARTED || list.equals(published.getOrDefault(service, List.of()))) {
                return;
            }
            published.put(service, list);
            log.debug("service {}: {} instances in ZooKeeper", service, list.size());
            try {
                l.onBackends(this, service, list);
            } catch (RuntimeException e) {
                log.warn("listener failed for service {}", service, e);
            }
        });
        firstFlush.countDown();
    }

    private static List<Backend> sorted(Map<String, Backend> byNode) {
        List<Backend> list = new ArrayList<>(byNode.values());
        list.sort(BY_ID);
        return List.copyOf(list);
    }

    /** Stops watching and publishing; does not close the connection. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        watch.close();
        publisher.shutdownNow();
    }

    @Override
    public String toString() {
        return "ZooKeeperBackendSource[" + servicesPath + "]";
    }
}
