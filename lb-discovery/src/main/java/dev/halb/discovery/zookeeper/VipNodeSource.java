package dev.halb.discovery.zookeeper;

import dev.halb.discovery.SnapshotPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic VIPs: the persistent nodes {@code <root>/vips/<name>} that
 * operators write, as a map of VIP name to the node's raw JSON.
 *
 * <p>The JSON is not interpreted here: lb-core parses it with the same rules as the YAML
 * configuration, reports errors by key path, and binds, rebinds or unbinds. Only a body larger
 * than {@value NodeJson#MAX_BYTES} bytes is skipped here (logged once, reported to the
 * {@link DiscoveryRecorder}). Deeper nodes are ignored.
 *
 * <p>Listeners get the whole map after the first full read, then on every change.
 * Losing the connection publishes nothing: VIPs are not unbound because ZooKeeper is away.
 * Listeners run on a Curator thread and must be quick.
 */
public final class VipNodeSource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VipNodeSource.class);

    private final ZooKeeperConnection connection;
    private final String vipsPath;
    private final RejectLog rejects;
    private final TreeWatch watch;
    private final SnapshotPublisher<Map<String, String>> published = new SnapshotPublisher<>("vips", null);
    private final AtomicBoolean closed = new AtomicBoolean();

    private final Object lock = new Object();
    /** name -> JSON; guarded by {@link #lock}. */
    private final Map<String, String> vips = new TreeMap<>();
    /** guarded by {@link #lock}. */
    private boolean ready;

    private VipNodeSource(ZooKeeperConnection connection, DiscoveryRecorder recorder) {
        this.connection = connection;
        this.vipsPath = connection.settings().vipsPath();
        this.rejects = new RejectLog("VIP node", recorder);
        this.watch = new TreeWatch(connection.curator(), vipsPath, new Handler());
    }

    /**
     * Starts watching {@code <root>/vips}. When connected, waits up to {@code connectionTimeoutMs}
     * for the first full read, so that the first map is complete.
     */
    public static VipNodeSource start(ZooKeeperConnection connection, DiscoveryRecorder recorder)
            throws InterruptedException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(recorder, "recorder");
        VipNodeSource source = new VipNodeSource(connection, recorder);
        source.watch.start();
        if (connection.state().connected()
                && !source.watch.awaitInitialized(Duration.ofMillis(connection.settings().connectionTimeoutMs()))) {
            log.warn("first read of {} not done after {} ms; continuing in the background", source.vipsPath,
                    connection.settings().connectionTimeoutMs());
        }
        return source;
    }

    /** {@code <root>/vips}. */
    public String path() {
        return vipsPath;
    }

    /** VIP name to raw JSON, sorted by name; empty until the first read of ZooKeeper. */
    public Map<String, String> vips() {
        Map<String, String> map = published.latest();
        return map == null ? Map.of() : map;
    }

    /**
     * Calls {@code listener} with the map (at once when it was read already), then on every change.
     *
     * @return closing it stops the calls
     */
    public AutoCloseable subscribe(Consumer<? super Map<String, String>> listener) {
        return published.subscribe(listener);
    }

    private final class Handler implements TreeWatch.Handler {
        @Override
        public void changed(List<String> segments, ChildData data) {
            if (segments.size() != 1) {
                return;
            }
            String name = segments.get(0);
            byte[] body = data.getData();
            if (body != null && body.length > NodeJson.MAX_BYTES) {
                rejects.reject(data.getPath(), data.getStat().getVersion(), "body of " + body.length
                        + " bytes (expected: at most " + NodeJson.MAX_BYTES + ")");
                update(name, null);
                return;
            }
            rejects.clear(data.getPath());
            update(name, body == null ? "" : new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public void deleted(List<String> segments, ChildData previous) {
            if (segments.size() != 1) {
                return;
            }
            rejects.clear(previous.getPath());
            update(segments.get(0), null);
        }

        @Override
        public void initialized() {
            synchronized (lock) {
                ready = true;
            }
            publish();
        }
    }

    private void update(String name, String json) {
        synchronized (lock) {
            if (json == null) {
                vips.remove(name);
            } else {
                vips.put(name, json);
            }
        }
        publish();
    }

    private void publish() {
        Map<String, String> snapshot;
        synchronized (lock) {
            if (!ready || closed.get()) {
                return;
            }
            snapshot = Collections.unmodifiableMap(new TreeMap<>(vips));
        }
        if (published.publish(snapshot)) {
            log.debug("dynamic VIPs: {}", snapshot.keySet());
        }
    }

    /** Stops watching; does not close the connection. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            watch.close();
        }
    }

    @Override
    public String toString() {
        return "VipNodeSource[" + vipsPath + "]";
    }
}
