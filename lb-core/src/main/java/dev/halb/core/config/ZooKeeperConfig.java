package dev.halb.core.config;

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
        connect = connect == null ? "" : connect;
        root = root == null ? "/halb" : root;
        auth = auth == null ? "" : auth;
    }

    public boolean enabled() {
        return !connect.isEmpty();
    }

    public boolean embedded() {
        return EMBEDDED.equals(connect);
    }
}
