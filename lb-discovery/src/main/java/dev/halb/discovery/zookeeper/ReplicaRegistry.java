package dev.halb.discovery.zookeeper;

import dev.halb.discovery.SnapshotPublisher;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica registry: this replica's ephemeral node
 * {@code <root>/replicas/<id>}, and the live replicas as ZooKeeper lists them.
 *
 * <h2>Own node</h2>
 * An {@link OwnedNode}: one replica per id. Another live replica with the same id refuses the
 * start ({@link IdInUseException}, naming the holder); a node left by a dead process is waited
 * out; created again after a session expires; written back, with a warning, when someone else
 * deletes or takes it. {@link #update} rewrites it (the VIPs changed); {@link #close()} deletes
 * it if this replica holds it.
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
    private final OwnedNode node;

    private ReplicaRegistry(ZooKeeperConnection connection, ReplicaInfo self, DiscoveryRecorder recorder) {
        this.connection = connection;
        this.self = self;
        this.replicasPath = connection.settings().replicasPath();
        this.path = ZKPaths.makePath(replicasPath, self.id());
        this.rejects = new RejectLog("replica", recorder);
        this.watch = new TreeWatch(connection.curator(), replicasPath, new Handler());
        this.node = new OwnedNode(connection, path, "replica node", encode(self), ReplicaRegistry::holder);
    }

    /** A replica node's holder for messages: where it runs and since when. */
    static String holder(byte[] body) {
        try {
            JsonNode n = NodeJson.readObject(body, "a replica");
            return "address " + NodeJson.text(n, "address", "address") + ", admin " + NodeJson.text(n, "admin", "admin")
                    + ", started " + NodeJson.text(n, "startedAt", "startedAt");
        } catch (NodeJson.Bad e) {
            return "a node that is not a replica's: " + e.getMessage();
        }
    }

    /**
     * Creates this replica's node and starts watching the others. When connected, waits up to
     * {@code connectionTimeoutMs} for the others to be read; when not, returns at once and does
     * both once ZooKeeper answers.
     *
     * <p>A replica id is one replica's: a node of another live session refuses the start (a
     * node left by a process that died is waited out, up to the session timeout), and a node
     * taken or deleted by someone else later is logged and written back.
     *
     * @throws IdInUseException when connected and another live replica holds this id
     */
    public static ReplicaRegistry start(ZooKeeperConnection connection, ReplicaInfo self, DiscoveryRecorder recorder)
            throws InterruptedException, IdInUseException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(recorder, "recorder");
        ReplicaRegistry registry = new ReplicaRegistry(connection, self, recorder);
        try {
            registry.startAll();
        } catch (IdInUseException | InterruptedException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    private void startAll() throws InterruptedException, IdInUseException {
        if (connection.state().connected()) {
            try {
                node.create();
            } catch (IdInUseException | InterruptedException e) {
                throw e;
            } catch (Exception e) {
                log.warn("replica node {} not created now ({}): retrying in the background", path, e.toString());
                node.createInBackground();
            }
            watch.start();
            if (!watch.awaitInitialized(Duration.ofMillis(connection.settings().connectionTimeoutMs()))) {
                log.warn("replicas under {} not read within {} ms; continuing in the background", replicasPath,
                        connection.settings().connectionTimeoutMs());
            }
        } else {
            node.createInBackground();
            watch.start();
        }
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
        synchronized (lock) {
            if (closed.get() || info.equals(self)) {
                return;
            }
            self = info;
        }
        node.setData(encode(info));
    }

    /** Whether this replica's session holds its node now (a read of ZooKeeper). */
    public boolean holdsNode() {
        return node.held();
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
                        + " (expected: an array of {name, bind, address})");
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode vip = list.get(i);
                String where = "vips[" + i + "]";
                if (!vip.isObject()) {
                    throw new NodeJson.Bad(where + ": " + NodeJson.show(vip)
                            + " (expected: {name, bind, address})");
                }
                String name = NodeJson.text(vip, "name", where + ".name");
                if (name.isEmpty()) {
                    throw new NodeJson.Bad(where + ".name: missing (expected: the VIP's name)");
                }
                vips.add(new ReplicaInfo.VipBind(name, NodeJson.text(vip, "bind", where + ".bind"),
                        NodeJson.text(vip, "address", where + ".address")));
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
        if (!node.delete()) {
            log.warn("replica node {} not deleted within {} ms: it goes when the session ends", path,
                    connection.settings().connectionTimeoutMs());
        }
    }

    @Override
    public String toString() {
        return "ReplicaRegistry[" + path + "]";
    }
}
