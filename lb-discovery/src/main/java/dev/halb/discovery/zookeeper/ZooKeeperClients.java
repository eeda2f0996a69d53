package dev.halb.discovery.zookeeper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.curator.utils.DebugUtils;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * Builds Curator clients with halb's settings.
 *
 * <h2>Retries</h2>
 * A single operation (a create, a read) is retried with bounded exponential back-off:
 * {@value #RETRY_BASE_SLEEP_MS} ms doubling up to {@value #RETRY_MAX_SLEEP_MS} ms, at most
 * {@value #RETRY_MAX_RETRIES} times, each attempt waiting up to {@code connectionTimeoutMs} for a
 * connection. That bounds how long a caller such as {@code halb register} can hang. Staying
 * connected does not depend on it: the ZooKeeper client cycles through the servers for as long
 * as it is open, Curator replaces a lost session by a new one, and the recipes used here
 * (CuratorCache, PersistentNode, ServiceDiscovery) redo their work after reconnecting. A replica
 * therefore never gives up on ZooKeeper, and never exits because of it.
 *
 * <h2>Authentication and ACLs</h2>
 * With {@code auth} set, the client authenticates with ZooKeeper's {@code digest} scheme and every
 * node it creates (the root, {@code services}, {@code vips}, {@code replicas}, registrations and
 * replica nodes) gets {@code auth:ALL} (the creating identity: whoever uses the same
 * {@code user:password}) plus {@code world:anyone:READ}. Clients without the credentials can read
 * the layout (for zkCli and monitoring; it holds no secrets) but cannot register an instance,
 * write a VIP or remove a replica. ZooKeeper checks CREATE on the parent, so this protects only if
 * halb creates the tree first: {@link #connect} creates {@code services}, {@code vips} and
 * {@code replicas} as soon as it is connected. Without {@code auth}, nodes are open
 * ({@code world:anyone:ALL}), ZooKeeper's default.
 */
public final class ZooKeeperClients {

    static final int RETRY_BASE_SLEEP_MS = 100;
    static final int RETRY_MAX_SLEEP_MS = 2_000;
    static final int RETRY_MAX_RETRIES = 3;

    /**
     * {@code auth:ALL} for the creating identity, {@code world:anyone:READ}. Not {@code List.of}:
     * ZooKeeper's ACL check asks {@code contains(null)}, which immutable lists refuse.
     */
    static final List<ACL> PROTECTED_ACL = Collections.unmodifiableList(Arrays.asList(
            new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.AUTH_IDS),
            new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)));

    static {
        // A failed background operation is a connection problem this package reports itself,
        // once per outage (CuratorConnection): Curator's own ERROR with a stack trace for each
        // retry that gives up would repeat it every second. Errors that are not ZooKeeper's
        // (a bug in a listener) are still logged by Curator. An explicit setting is kept.
        if (System.getProperty(DebugUtils.PROPERTY_DONT_LOG_CONNECTION_ISSUES) == null) {
            System.setProperty(DebugUtils.PROPERTY_DONT_LOG_CONNECTION_ISSUES, "true");
        }
    }

    private ZooKeeperClients() {
    }

    /**
     * Starts a client and waits up to {@code connectionTimeoutMs} for it to connect. Returns
     * either way: when no server answers, the connection is {@linkplain DiscoveryState disconnected},
     * says so once in the log, and keeps trying in the background.
     */
    public static ZooKeeperConnection connect(ZooKeeperSettings settings, InstantSource clock)
            throws InterruptedException {
        CuratorConnection connection = open(settings, clock);
        if (!connection.awaitConnected(Duration.ofMillis(settings.connectionTimeoutMs()))) {
            connection.startTimedOut(settings.connectionTimeoutMs());
        }
        return connection;
    }

    /**
     * Starts a client and waits up to {@code connectionTimeoutMs} for it to connect, for a caller
     * that gives up without ZooKeeper ({@code halb register}): no connection within the time is
     * {@code null}, with the client closed and nothing logged, so that the caller's own message
     * is the only one.
     */
    public static ZooKeeperConnection connectOrNull(ZooKeeperSettings settings) throws InterruptedException {
        CuratorConnection connection = open(settings, InstantSource.system());
        if (!connection.awaitConnected(Duration.ofMillis(settings.connectionTimeoutMs()))) {
            connection.close();
            return null;
        }
        return connection;
    }

    private static CuratorConnection open(ZooKeeperSettings settings, InstantSource clock) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        CuratorConnection connection = new CuratorConnection(settings, newClient(settings), clock);
        connection.start();
        return connection;
    }

    /** As {@link #connect(ZooKeeperSettings, InstantSource)} on the system clock. */
    public static ZooKeeperConnection connect(ZooKeeperSettings settings) throws InterruptedException {
        return connect(settings, InstantSource.system());
    }

    /**
     * A client with halb's retry policy, timeouts, digest authentication and ACLs, not started.
     * For callers that manage a client themselves; the rest of this package takes a
     * {@link ZooKeeperConnection}.
     */
    public static CuratorFramework newClient(ZooKeeperSettings settings) {
        Objects.requireNonNull(settings, "settings");
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(settings.connect())
                .sessionTimeoutMs(settings.sessionTimeoutMs())
                .connectionTimeoutMs(settings.connectionTimeoutMs())
                .retryPolicy(retryPolicy())
                .aclProvider(aclProvider(settings));
        if (settings.hasAuth()) {
            builder.authorization("digest", settings.auth().getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    static RetryPolicy retryPolicy() {
        return new BoundedExponentialBackoffRetry(RETRY_BASE_SLEEP_MS, RETRY_MAX_SLEEP_MS, RETRY_MAX_RETRIES);
    }

    static ACLProvider aclProvider(ZooKeeperSettings settings) {
        List<ACL> acl = settings.hasAuth() ? PROTECTED_ACL : ZooDefs.Ids.OPEN_ACL_UNSAFE;
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        };
    }
}
