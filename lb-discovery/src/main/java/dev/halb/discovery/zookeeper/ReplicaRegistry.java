package dev.halb.discovery.zookeeper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica registry: this replica's ephemeral node
 * {@code <root>/replicas/<id>}, and the live replicas as ZooKeeper lists them.
 *
 * <h2>Own node</h2>
 * Kept by Curator's {@link PersistentNode} in EPHEMERAL mode: it is created in the background,
 * created again after a session expires (or after anyone deletes it), and takes over a node left
 * by this id's previous session. {@link #update} rewrites it (the VIPs changed);
 * {@link #close()} deletes it.
 *
 * <h2>Live replicas</h2>
 * A {@link TreeWatch} on {@code <root>/replicas}; each node is read leniently (missing fields are
 * empty, unknown keys ignored); a node that cannot be read is skipped, logged once per path and
 * version, and reported to the {@link DiscoveryRecorder}. Listeners get the whole
 * {@link ReplicaSet} after the first full read and on every change; while disconnected
 * the last set stays. Listeners run on a Curator thread and must be quick.
 */
public final class ReplicaRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaRegistry.class);

    private final ZooKeeperConnection connection;
    private final String replicasPath;
    private final String path;
    private final RejectLog rejects;
    private final TreeWatch watch;
    private final SnapshotPublisher<ReplicaSet> published = new SnapshotPublisher<>("replicas", null);
    private final AtomicBoolean closed = new AtomicBoolean();

    private final Object lock = new Object();
    /** id -> replica; guarded by {@link #lock}. */
    private final Map<String, ReplicaInfo> live = new HashMap<>();
    /** guarded by {@link #lock}. */
    private boolean ready;
    /** guarded by {@link #lock}. */
    private ReplicaInfo self;
    /** guarded by {@link #lock}. */
    private PersistentNode node;

    private ReplicaRegistry(ZooKeeperConnection connection, ReplicaInfo self, DiscoveryRecorder recorder) {
        this.connection = connection;
        this.self = self;
        this.replicasPath = connection.settings().replicasPath();
        this.path = ZKPaths.makePath(replicasPath, self.id());
        this.rejects = new RejectLog("replica", recorder);
        this.watch = new TreeWatch(connection.curator(), replicasPath, new Handler());
    }

    /**
     * Creates this replica's node and starts watching the others. When connected, waits up to
     * {@code connectionTimeoutMs} for both; when not, returns at once and does both once
     * ZooKeeper answers.
     */
    public static ReplicaRegistry start(ZooKeeperConnection connection, ReplicaInfo self, DiscoveryRecorder recorder)
            throws InterruptedException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(recorder, "recorder");
        ReplicaRegistry registry = new ReplicaRegistry(connection, self, recorder);
        registry.startAll();
        return registry;
    }

    private void startAll() throws InterruptedException {
        PersistentNode n;
        synchronized (lock) {
            n = newNode(self);
            node = n;
        }
        watch.start();
        if (connection.state().connected()) {
            long timeoutMs = connection.settings().connectionTimeoutMs();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            boolean created = n.waitForInitialCreate(timeoutMs, TimeUnit.MILLISECONDS);
            long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            boolean read = watch.awaitInitialized(Duration.ofMillis(left));
            if (!created || !read) {
                log.warn("replica node {} {} after {} ms; continuing in the background", path,
                        created ? "created but replicas not yet read" : "not yet created", timeoutMs);
            }
        }
    }

    private PersistentNode newNode(ReplicaInfo info) {
        PersistentNode n = new PersistentNode(connection.curator(), CreateMode.EPHEMERAL, false, path, encode(info));
        n.start();
        return n;
    }

    /** This replica's node, {@code <root>/replicas/<id>}. */
    public String path() {
        return path;
    }

    public ReplicaInfo self() {
        synchronized (lock) {
            return self;
        }
    }

    /** Rewrites this replica's node, e.g. when its VIPs change. The id must stay the same. */
    public void update(ReplicaInfo info) {
        Objects.requireNonNull(info, "info");
        if (!info.id().equals(path.substring(path.lastIndexOf('/') + 1))) {
            throw new IllegalArgumentException("id: '" + info.id() + "' (expected: '" + self().id()
                    + "', the id this registry was started with)");
        }
        PersistentNode stale = null;
        synchronized (lock) {
            if (closed.get() || info.equals(self)) {
                return;
            }
            self = info;
            byte[] body = encode(info);
            try {
                node.setData(body);
            } catch (IllegalStateException e) {
                // Not created yet (no connection so far): PersistentNode takes data only after
                // its first create, so start over with the new body.
                stale = node;
                node = newNode(info);
            } catch (Exception e) {
                log.warn("cannot update {} now: {}", path, e.toString());
            }
        }
        if (stale != null) {
            closeNode(stale);
        }
    }

    /** The live replicas; empty until the first read of ZooKeeper. */
    public ReplicaSet replicas() {
        ReplicaSet set = published.latest();
        return set == null ? ReplicaSet.EMPTY : set;
    }

    /**
     * Calls {@code listener} with the live replicas (at once when they were read already), then on
     * every change.
     *
     * @return closing it stops the calls
     */
    public AutoCloseable subscribe(Consumer<? super ReplicaSet> listener) {
        return published.subscribe(listener);
    }

    private final class Handler implements TreeWatch.Handler {
        @Override
        public void changed(List<String> segments, ChildData data) {
            if (segments.size() != 1) {
                return;
            }
            String id = segments.get(0);
            ReplicaInfo info;
            try {
                info = decode(id, data.getData());
            } catch (NodeJson.Bad e) {
                rejects.reject(data.getPath(), data.getStat().getVersion(), e.getMessage());
                removed(id);
                return;
            }
            rejects.clear(data.getPath());
            synchronized (lock) {
                live.put(id, info);
            }
            publish();
        }

        @Override
        public void deleted(List<String> segments, ChildData previous) {
            if (segments.size() != 1) {
                return;
            }
            rejects.clear(previous.getPath());
            removed(segments.get(0));
        }

        @Override
        public void initialized() {
            synchronized (lock) {
                ready = true;
            }
            publish();
        }
    }

    private void removed(String id) {
        synchronized (lock) {
            live.remove(id);
        }
        publish();
    }

    private void publish() {
        ReplicaSet set;
        synchronized (lock) {
            if (!ready || closed.get()) {
                return;
            }
            set = new ReplicaSet(new ArrayList<>(live.values()));
        }
        if (published.publish(set)) {
            log.debug("live replicas: {}", set.size());
        }
    }

    static byte[] encode(ReplicaInfo info) {
        try {
            return NodeJson.JSON.writeValueAsBytes(info);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write replica " + info.id(), e); // records of strings always serialise
        }
    }

    /** Reads a replica node leniently; {@code id} is its node name. */
    static ReplicaInfo decode(String id, byte[] data) throws NodeJson.Bad {
        JsonNode root = NodeJson.readObject(data, "a replica");
        String jsonId = NodeJson.text(root, "id", "id");
        if (!jsonId.isEmpty() && !jsonId.equals(id)) {
            throw new NodeJson.Bad("id: '" + NodeJson.shorten(jsonId)
                    + "' (expected: the node name '" + id + "')");
        }
        List<ReplicaInfo.VipBind> vips = new ArrayList<>();
        JsonNode list = root.get("vips");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new NodeJson.Bad("vips: " + NodeJson.show(list)
                        + " (expected: an array of {name, bind})");
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode vip = list.get(i);
                String where = "vips[" + i + "]";
                if (!vip.isObject()) {
                    throw new NodeJson.Bad(where + ": " + NodeJson.show(vip)
                            + " (expected: {name, bind})");
                }
                String name = NodeJson.text(vip, "name", where + ".name");
                if (name.isEmpty()) {
                    throw new NodeJson.Bad(where + ".name: missing (expected: the VIP's name)");
                }
                vips.add(new ReplicaInfo.VipBind(name, NodeJson.text(vip, "bind", where + ".bind")));
            }
        }
        return new ReplicaInfo(id,
                NodeJson.text(root, "zone", "zone"),
                NodeJson.text(root, "region", "region"),
                NodeJson.text(root, "address", "address"),
                NodeJson.text(root, "admin", "admin"),
                vips,
                NodeJson.text(root, "startedAt", "startedAt"));
    }

    /**
     * Deletes this replica's node and stops watching. Does not close the connection. Waits at most
     * {@code connectionTimeoutMs} for the delete: without ZooKeeper the node goes when the session
     * ends. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watch.close();
        PersistentNode n;
        synchronized (lock) {
            n = node;
        }
        closeNode(n);
    }

    /** Closes a node, waiting a bounded time: its delete retries while ZooKeeper is unreachable. */
    private void closeNode(PersistentNode n) {
        Thread closer = new Thread(() -> {
            try {
                n.close();
            } catch (IOException | RuntimeException e) {
                log.debug("closing replica node {}: {}", path, e.toString());
            }
        }, "halb-replica-node-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(connection.settings().connectionTimeoutMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("replica node {} not deleted within {} ms: it goes when the session ends", path,
                    connection.settings().connectionTimeoutMs());
        }
    }

    @Override
    public String toString() {
        return "ReplicaRegistry[" + path + "]";
    }
}
