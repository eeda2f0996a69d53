package dev.halb.discovery.zookeeper;

import dev.halb.discovery.SnapshotPublisher;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ZooKeeperConnection} of {@link ZooKeeperClients#connect}: a Curator client plus its
 * connection state, fed by Curator's connection-state events (SUSPENDED and LOST are
 * disconnected; CONNECTED, RECONNECTED and READ_ONLY are connected). What the log says about the
 * connection is {@link OutageLog}'s: a line per change of state and a reminder while it is down,
 * never one per failed attempt.
 */
final class CuratorConnection implements ZooKeeperConnection, ConnectionStateListener {

    private static final Logger log = LoggerFactory.getLogger(CuratorConnection.class);

    private final ZooKeeperSettings settings;
    private final CuratorFramework client;
    private final InstantSource clock;
    private final SnapshotPublisher<DiscoveryState> state;
    /** Notified on every state change, for {@link #awaitConnected}. */
    private final Object stateChange = new Object();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final OutageLog outage;
    /** Ticks {@link #outage} once a second, for its reminders while disconnected. */
    private final ScheduledExecutorService reminders = DaemonThreads.single("halb-zookeeper-outage");
    /** Set on LOST, cleared on the next connection: that one has a new session. Curator's state thread only. */
    private boolean sessionLost;

    CuratorConnection(ZooKeeperSettings settings, CuratorFramework client, InstantSource clock) {
        this.settings = settings;
        this.client = client;
        this.clock = clock;
        this.state = new SnapshotPublisher<>("discovery state", DiscoveryState.disconnected(clock.instant()));
        this.outage = new OutageLog(log, settings.connect());
    }

    void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        client.getConnectionStateListenable().addListener(this);
        client.start();
        reminders.scheduleWithFixedDelay(() -> outage.tick(clock.instant()), 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void stateChanged(CuratorFramework c, ConnectionState newState) {
        boolean connected = newState.isConnected();
        Instant now = clock.instant();
        DiscoveryState current = state.latest();
        if (current.connected() != connected) {
            state.publish(new DiscoveryState(connected, now));
            synchronized (stateChange) {
                stateChange.notifyAll();
            }
        }
        switch (newState) {
            case CONNECTED, RECONNECTED, READ_ONLY -> {
                outage.connected(now, settings.root(), sessionLost);
                sessionLost = false;
            }
            case SUSPENDED -> outage.lost(now);
            case LOST -> {
                // Curator also says LOST when a session timeout passes while it never had one:
                // only a session that existed is reported as lost.
                outage.lost(now);
                outage.sessionLost(now);
                sessionLost = true;
            }
        }
        if (newState == ConnectionState.CONNECTED || newState == ConnectionState.RECONNECTED) {
            ensureLayout();
        }
    }

    /** The first wait at start ended without a connection: one WARN saying so, then reminders. */
    void startTimedOut(long waitedMs) {
        if (!state.latest().connected()) {
            outage.startTimedOut(clock.instant(), waitedMs);
        }
    }

    /**
     * Creates {@code services}, {@code vips} and {@code replicas} under the root if missing, in the
     * background, so that they are persistent (not containers that come and go) and, with
     * {@code auth}, carry halb's ACL before anyone else creates them.
     */
    private void ensureLayout() {
        BackgroundCallback callback = (c, event) -> {
            int rc = event.getResultCode();
            if (rc != KeeperException.Code.OK.intValue() && rc != KeeperException.Code.NODEEXISTS.intValue()) {
                log.debug("cannot create {}: {}", event.getPath(), KeeperException.Code.get(rc));
            }
        };
        for (String path : List.of(settings.servicesPath(), settings.vipsPath(), settings.replicasPath())) {
            try {
                client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).inBackground(callback)
                        .forPath(path);
            } catch (Exception e) {
                log.debug("cannot create {}", path, e);
            }
        }
    }

    @Override
    public ZooKeeperSettings settings() {
        return settings;
    }

    @Override
    public CuratorFramework curator() {
        return client;
    }

    @Override
    public DiscoveryState state() {
        return state.latest();
    }

    @Override
    public AutoCloseable subscribe(Consumer<? super DiscoveryState> listener) {
        return state.subscribe(listener);
    }

    /** Waits on this connection's own state, so that {@link #state()} agrees once it returns true. */
    @Override
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        synchronized (stateChange) {
            while (!state.latest().connected()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(stateChange, left);
            }
            return true;
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            reminders.shutdownNow();
            client.getConnectionStateListenable().removeListener(this);
            client.close();
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperConnection[" + settings.connect() + settings.root() + ", " + state().label() + "]";
    }
}
