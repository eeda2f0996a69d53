package dev.halb.discovery.zookeeper;

/**
 * Told about ZooKeeper nodes that halb skips. lb-core bridges it to
 * {@code halb_discovery_rejected_total}.
 *
 * <p>Called once per node path and data version, from a Curator thread; must be cheap and must
 * not block. An exception thrown here is logged and otherwise ignored: a metrics bug cannot stop
 * discovery.
 */
@FunctionalInterface
public interface DiscoveryRecorder {

    /**
     * @param path   the skipped node, e.g. {@code /halb/services/web/3f2a...}
     * @param reason why, naming the value and what was expected
     */
    void rejected(String path, String reason);

    /** Records nothing. */
    static DiscoveryRecorder disabled() {
        return (path, reason) -> { };
    }
}
