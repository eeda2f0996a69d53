package dev.halb.discovery.zookeeper;

import java.util.Objects;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.common.PathUtils;

/**
 * How to reach ZooKeeper and where halb's nodes live.
 *
 * <p>{@code connect} is a real connect string here: {@code connect: embedded} is resolved by the
 * caller, which starts an {@link EmbeddedZooKeeper} and passes its
 * {@link EmbeddedZooKeeper#connectString()}.
 *
 * @param connect             {@code host:port[,host:port...]}
 * @param root                absolute base path, e.g. {@code /halb}; a trailing slash is dropped
 * @param sessionTimeoutMs    ZooKeeper session timeout asked for (the server may clamp it)
 * @param connectionTimeoutMs how long one attempt to connect may take, and how long
 *                            {@link ZooKeeperClients#connect} waits for the first connection
 * @param auth                {@code user:password} for ZooKeeper digest authentication, {@code ""} = none
 */
public record ZooKeeperSettings(String connect, String root, int sessionTimeoutMs, int connectionTimeoutMs,
                                String auth) {

    public static final String DEFAULT_ROOT = "/halb";
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 15_000;
    public static final int DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

    public ZooKeeperSettings {
        Objects.requireNonNull(connect, "connect");
        connect = connect.strip();
        if (connect.isEmpty()) {
            throw new IllegalArgumentException("connect: '' (expected: host:port[,host:port...])");
        }
        root = normaliseRoot(root);
        if (sessionTimeoutMs <= 0) {
            throw new IllegalArgumentException("sessionTimeoutMs: " + sessionTimeoutMs + " (expected: > 0)");
        }
        if (connectionTimeoutMs <= 0) {
            throw new IllegalArgumentException("connectionTimeoutMs: " + connectionTimeoutMs + " (expected: > 0)");
        }
        auth = auth == null ? "" : auth;
        if (!auth.isEmpty()) {
            int colon = auth.indexOf(':');
            if (colon <= 0 || colon == auth.length() - 1) {
                // Never echo the value: it is a password.
                throw new IllegalArgumentException("auth: (hidden) (expected: user:password, both non-empty)");
            }
        }
    }

    /** The documented defaults (root /halb, session 15 s, connection 5 s, no auth) for one connect string. */
    public static ZooKeeperSettings of(String connect) {
        return new ZooKeeperSettings(connect, DEFAULT_ROOT, DEFAULT_SESSION_TIMEOUT_MS, DEFAULT_CONNECTION_TIMEOUT_MS,
                "");
    }

    public ZooKeeperSettings withRoot(String newRoot) {
        return new ZooKeeperSettings(connect, newRoot, sessionTimeoutMs, connectionTimeoutMs, auth);
    }

    public ZooKeeperSettings withTimeouts(int newSessionTimeoutMs, int newConnectionTimeoutMs) {
        return new ZooKeeperSettings(connect, root, newSessionTimeoutMs, newConnectionTimeoutMs, auth);
    }

    public ZooKeeperSettings withAuth(String newAuth) {
        return new ZooKeeperSettings(connect, root, sessionTimeoutMs, connectionTimeoutMs, newAuth);
    }

    public boolean hasAuth() {
        return !auth.isEmpty();
    }

    /** {@code <root>/services}: one child per service, one grandchild per instance. */
    public String servicesPath() {
        return ZKPaths.makePath(root, "services");
    }

    /** {@code <root>/services/<service>}. */
    public String servicePath(String service) {
        return ZKPaths.makePath(servicesPath(), validNodeName("service", service));
    }

    /** {@code <root>/vips}: one persistent child per dynamic VIP. */
    public String vipsPath() {
        return ZKPaths.makePath(root, "vips");
    }

    /** {@code <root>/replicas}: one ephemeral child per live replica. */
    public String replicasPath() {
        return ZKPaths.makePath(root, "replicas");
    }

    /** The password stays out of logs. */
    @Override
    public String toString() {
        return "ZooKeeperSettings[connect=" + connect + ", root=" + root + ", sessionTimeoutMs=" + sessionTimeoutMs
                + ", connectionTimeoutMs=" + connectionTimeoutMs + ", auth=" + (hasAuth() ? "(set)" : "(none)") + "]";
    }

    /**
     * Checks that {@code value} can be one node name: ZooKeeper's path rules, no {@code /}.
     *
     * @return {@code value}
     */
    public static String validNodeName(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + ": '' (expected: a ZooKeeper node name)");
        }
        if (value.indexOf('/') >= 0 || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(what + ": '" + value
                    + "' (expected: a ZooKeeper node name: no '/', not '.' or '..')");
        }
        try {
            PathUtils.validatePath("/" + value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": '" + value + "' (expected: a ZooKeeper node name: "
                    + e.getMessage() + ")", e);
        }
        return value;
    }

    private static String normaliseRoot(String root) {
        String r = root == null || root.isBlank() ? DEFAULT_ROOT : root.strip();
        while (r.length() > 1 && r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        try {
            PathUtils.validatePath(r);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("root: '" + root + "' (expected: an absolute ZooKeeper path such as "
                    + DEFAULT_ROOT + ": " + e.getMessage() + ")", e);
        }
        return r;
    }
}
