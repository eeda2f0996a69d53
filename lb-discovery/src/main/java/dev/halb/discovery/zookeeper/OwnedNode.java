package dev.halb.discovery.zookeeper;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ephemeral node that belongs to one id, and so to one holder at a time: a replica's
 * {@code <root>/replicas/<id>}, a registered instance's {@code <root>/services/<service>/<id>}.
 *
 * <h2>The rule</h2>
 * An id is held by the session whose ephemeral node it is. Another holder is refused, never
 * overwritten: a node of another live session means a second process with the same id, and
 * replacing it would make the first vanish from every reader with no word on either side.
 * A node of a dead session is not a holder: it goes once that session expires, so a process that
 * finds one waits up to its own session timeout for it to go (a replica restarted right after a
 * crash keeps its id) and only then refuses, naming the holder from the node's body.
 *
 * <h2>Holding</h2>
 * While held, the node is watched. Deleted by someone else, it is written back; replaced by
 * another session (a client that deletes and re-creates, as Curator's {@code ServiceDiscovery}
 * does), it is logged, naming the taker, and written back. After a session loss it is created
 * again on reconnecting. {@link #close()} deletes it only while this session holds it, so a
 * refused or displaced process never deletes its rival's node.
 *
 * <p>Work runs on one daemon thread of its own, with ZooKeeper's synchronous calls and Curator's
 * retry policy, so watch events and reconnects are handled one at a time and in order.
 */
final class OwnedNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OwnedNode.class);

    /** Margin over the session timeout when waiting for a dead holder's node: the server expires sessions by tick. */
    static final long EXPIRY_MARGIN_MS = 2_000;

    /** Write-backs closer than this are spaced out, so that a fight with a foreign client cannot spin. */
    static final long WRITE_BACK_SPACING_MS = 1_000;

    private final ZooKeeperConnection connection;
    private final CuratorFramework client;
    private final String path;
    private final String what;
    private final Function<byte[], String> describe;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Watcher watcher = this::watched;
    private final ConnectionStateListener reconnects = this::connectionChanged;

    // Worker thread only.
    private byte[] body;
    /** This process created the node in its current or a past session and has not let go of it. */
    private boolean holding;
    private long lastWriteBackNanos;
    /** Set by the deleting thread of {@link #delete()}. */
    private volatile boolean deleted;

    /**
     * @param what     for log lines, e.g. {@code replica node}
     * @param describe the holder in a node's body, e.g. {@code address 10.0.0.5, started 2030-01-01T00:00:00Z}
     */
    OwnedNode(ZooKeeperConnection connection, String path, String what, byte[] body,
              Function<byte[], String> describe) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.client = connection.curator();
        this.path = path;
        this.what = what;
        this.body = body.clone();
        this.describe = describe;
        this.worker = DaemonThreads.single("halb-node-" + path.substring(path.lastIndexOf('/') + 1));
        client.getConnectionStateListenable().addListener(reconnects);
    }

    String path() {
        return path;
    }

    /**
     * Creates the node now (the connection is up): returns once this session holds it.
     *
     * @throws IdInUseException when another live session holds the id
     * @throws Exception     from ZooKeeper, e.g. {@code NoAuthException}
     */
    void create() throws Exception {
        try {
            worker.submit(() -> {
                acquire(true);
                return null;
            }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /** Creates the node once ZooKeeper answers; a holder found then is logged, and the node taken when it goes. */
    void createInBackground() {
        submit(() -> acquire(false));
    }

    /** New body for the node (written at once when held, else on the next create). */
    void setData(byte[] newBody) {
        byte[] copy = newBody.clone();
        submit(() -> {
            body = copy;
            if (holding && connection.state().connected()) {
                try {
                    Stat stat = client.checkExists().forPath(path);
                    if (ours(stat)) {
                        client.setData().withVersion(stat.getVersion()).forPath(path, body);
                    }
                } catch (Exception e) {
                    log.warn("cannot update {} {} now ({}): written on the next check", what, path, reason(e));
                }
            }
        });
    }

    /** Whether this session holds the node now (a synchronous check; for tests and callers that must know). */
    boolean held() {
        try {
            return ours(client.checkExists().forPath(path));
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Takes the node: creates it, or waits out a dead session's node. {@code fatal}: a live
     * holder is thrown; else it is logged and the node watched until it goes.
     */
    private void acquire(boolean fatal) throws Exception {
        if (closed.get()) {
            return;
        }
        long waitMs = sessionTimeoutMs() + EXPIRY_MARGIN_MS;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        boolean told = false;
        while (!closed.get()) {
            try {
                client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, body);
                holding = true;
                watch();
                if (told) {
                    log.info("{} {}: the previous holder's node has gone; this process holds it now", what, path);
                }
                return;
            } catch (KeeperException.NodeExistsException e) {
                Stat stat = new Stat();
                byte[] data;
                try {
                    data = client.getData().storingStatIn(stat).forPath(path);
                } catch (KeeperException.NoNodeException gone) {
                    continue; // deleted between the two calls: create again
                }
                if (ours(stat)) {
                    holding = true;
                    client.setData().withVersion(stat.getVersion()).forPath(path, body);
                    watch();
                    return;
                }
                String holder = describe(data);
                if (System.nanoTime() - deadline >= 0) {
                    if (fatal) {
                        throw new IdInUseException(path, holder);
                    }
                    log.error("{} {} is held by another process ({}): give every process its own id; this one "
                            + "takes the node only once it is free", what, path, holder);
                    watch();
                    return;
                }
                if (!told) {
                    told = true;
                    log.warn("{} {} exists ({}): waiting up to {} ms for it to go, in case it is left by a process "
                            + "that died", what, path, holder, waitMs);
                }
                awaitDeleted(deadline);
            }
        }
    }

    /** Blocks until the node is deleted or the deadline passes. */
    private void awaitDeleted(long deadline) throws Exception {
        Object gone = new Object();
        boolean[] deleted = {false};
        Watcher w = event -> {
            if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                synchronized (gone) {
                    deleted[0] = true;
                    gone.notifyAll();
                }
            }
        };
        if (client.checkExists().usingWatcher(w).forPath(path) == null) {
            return;
        }
        synchronized (gone) {
            long left;
            while (!deleted[0] && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(gone, left);
            }
        }
    }

    private void watch() throws Exception {
        client.checkExists().usingWatcher(watcher).forPath(path);
    }

    /** ZooKeeper's event thread: the node changed; look at it on the worker. */
    private void watched(WatchedEvent event) {
        if (event.getType() != Watcher.Event.EventType.None) {
            submit(() -> check(true));
        }
    }

    /** Curator's state thread: a new session has none of the old one's nodes. */
    private void connectionChanged(CuratorFramework c, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED || state == ConnectionState.CONNECTED) {
            submit(() -> check(false));
        }
    }

    /**
     * Is the node still ours? Written back when it was deleted or taken by someone else.
     * {@code watched}: a watch fired, so a missing node was deleted by someone (after a session
     * loss it is missing because it expired with the session, which needs no warning).
     */
    private void check(boolean watched) throws Exception {
        // Curator's own view, not the published connection state: this runs on a reconnect event,
        // which can come before the published state has caught up with it.
        if (closed.get() || !client.getZookeeperClient().isConnected()) {
            return;
        }
        if (!holding) {
            acquire(false);
            return;
        }
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).usingWatcher(watcher).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            if (watched) {
                log.warn("{} {} was deleted by someone else: writing it back", what, path);
            } else {
                log.info("{} {} expired with the old session: writing it back", what, path);
            }
            writeBack(null);
            return;
        }
        if (ours(stat)) {
            return;
        }
        log.warn("{} {} was taken by another process ({}): writing it back; give every process its own id", what,
                path, describe(data));
        writeBack(stat);
    }

    private void writeBack(Stat theirs) throws Exception {
        long since = System.nanoTime() - lastWriteBackNanos;
        if (lastWriteBackNanos != 0 && since < TimeUnit.MILLISECONDS.toNanos(WRITE_BACK_SPACING_MS)) {
            worker.schedule(() -> run(() -> check(false)), WRITE_BACK_SPACING_MS, TimeUnit.MILLISECONDS);
            return;
        }
        lastWriteBackNanos = System.nanoTime();
        if (theirs != null) {
            try {
                client.delete().withVersion(theirs.getVersion()).forPath(path);
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                // gone or changed meanwhile: the create below or the next event sorts it out
            }
        }
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, body);
        } catch (KeeperException.NodeExistsException e) {
            // someone was quicker: the watch below brings us back here
        }
        watch();
    }

    private boolean ours(Stat stat) {
        if (stat == null) {
            return false;
        }
        try {
            return stat.getEphemeralOwner() == client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return false;
        }
    }

    private long sessionTimeoutMs() {
        try {
            int negotiated = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
            return Math.max(negotiated, connection.settings().sessionTimeoutMs());
        } catch (Exception e) {
            return connection.settings().sessionTimeoutMs();
        }
    }

    private String describe(byte[] data) {
        try {
            return describe.apply(data);
        } catch (RuntimeException e) {
            return "its body cannot be read";
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void submit(Step step) {
        if (closed.get()) {
            return;
        }
        try {
            worker.execute(() -> run(step));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void run(Step step) {
        if (closed.get()) {
            return;
        }
        try {
            step.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // ZooKeeper went away mid-way: the reconnect runs the check again.
            log.debug("{} {}: {}", what, path, reason(e));
        }
    }

    /**
     * Deletes the node if this session holds it, waiting at most {@code connectionTimeoutMs}.
     *
     * @return {@code true} when the node is gone (deleted now, or not ours to delete); {@code false}
     *         when it could not be deleted (it then goes when the session ends)
     */
    boolean delete() {
        if (!closed.compareAndSet(false, true)) {
            return true;
        }
        client.getConnectionStateListenable().removeListener(reconnects);
        // Let a step under way finish (interrupting a ZooKeeper call makes Curator log an error
        // with a stack trace); only one that outlasts the connection timeout is interrupted.
        worker.shutdown();
        try {
            if (!worker.awaitTermination(connection.settings().connectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (!connection.state().connected()) {
            return false;
        }
        Thread deleter = new Thread(this::deleteIfOurs, "halb-node-delete");
        deleter.setDaemon(true);
        deleted = false;
        deleter.start();
        try {
            deleter.join(connection.settings().connectionTimeoutMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return deleted;
    }

    private void deleteIfOurs() {
        try {
            Stat stat = client.checkExists().forPath(path);
            if (stat == null || !ours(stat)) {
                deleted = true;
                return;
            }
            client.delete().withVersion(stat.getVersion()).forPath(path);
            deleted = true;
        } catch (KeeperException.NoNodeException e) {
            deleted = true;
        } catch (Exception e) {
            log.debug("cannot delete {} {}: {}", what, path, reason(e));
        }
    }

    @Override
    public void close() {
        delete();
    }

    private static String reason(Exception e) {
        return e instanceof KeeperException k ? k.code().name() : e.toString();
    }

    @Override
    public String toString() {
        return "OwnedNode[" + path + "]";
    }
}
