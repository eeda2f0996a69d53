package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Objects;

/**
 * ZooKeeper connection.
 *
 * @param connect             "h1:2181,h2:2181"; {@value #EMBEDDED} = in-process single node; "" = static only
 * @param root                base path, e.g. {@code /halb}
 * @param sessionTimeoutMs    ZooKeeper session timeout
 * @param connectionTimeoutMs Curator connection timeout
 * @param auth                "user:password" for digest auth, "" = none
 */
public record ZooKeeperConfig(String connect, String root, int sessionTimeoutMs, int connectionTimeoutMs,
                              String auth) {

    public static final String EMBEDDED = "embedded";
    public static final ZooKeeperConfig DEFAULT = new ZooKeeperConfig("", "/halb", 15_000, 5_000, "");

    public ZooKeeperConfig {
        Objects.requireNonNull(connect, "connect");
        if (!isConnectString(connect)) {
            throw InvalidValueException.of("connect", connect,
                    "expected: host:port[,host:port...], '" + EMBEDDED + "' or \"\"");
        }
        Objects.requireNonNull(root, "root");
        if (!root.startsWith("/") || root.endsWith("/") || root.contains("//") || Checks.hasSpaceOrControl(root)) {
            throw InvalidValueException.of("root", root, "expected: a ZooKeeper path such as /halb: starting with "
                    + "'/', not ending with '/', no empty parts");
        }
        Checks.range("sessionTimeoutMs", sessionTimeoutMs, 1_000, 600_000);
        Checks.range("connectionTimeoutMs", connectionTimeoutMs, 100, 600_000);
        Objects.requireNonNull(auth, "auth");
        if (!auth.isEmpty() && auth.indexOf(':') <= 0) {
            // Never the password itself: messages end up in logs.
            throw InvalidValueException.of("auth", auth.indexOf(':') < 0 ? "***" : ":***",
                    "expected: user:password with a non-empty user, or \"\"");
        }
    }

    /** The configuration of {@code discovery.zookeeper}: every {@code null} takes its value from {@link #DEFAULT}. */
    @JsonCreator
    static ZooKeeperConfig withDefaults(String connect, String root, Integer sessionTimeoutMs,
                                        Integer connectionTimeoutMs, String auth) {
        return new ZooKeeperConfig(Objects.requireNonNullElse(connect, DEFAULT.connect),
                Objects.requireNonNullElse(root, DEFAULT.root),
                Objects.requireNonNullElse(sessionTimeoutMs, DEFAULT.sessionTimeoutMs),
                Objects.requireNonNullElse(connectionTimeoutMs, DEFAULT.connectionTimeoutMs),
                Objects.requireNonNullElse(auth, DEFAULT.auth));
    }

    public boolean enabled() {
        return !connect.isEmpty();
    }

    public boolean embedded() {
        return EMBEDDED.equals(connect);
    }

    private static boolean isConnectString(String connect) {
        if (connect.isEmpty() || connect.equals(EMBEDDED)) {
            return true;
        }
        // ZooKeeper allows a chroot after the host list: h1:2181,h2:2181/app.
        int slash = connect.indexOf('/');
        String hosts = slash < 0 ? connect : connect.substring(0, slash);
        for (String host : hosts.split(",", -1)) {
            if (host.isEmpty() || Checks.hasSpaceOrControl(host)) {
                return false;
            }
        }
        return true;
    }
}
