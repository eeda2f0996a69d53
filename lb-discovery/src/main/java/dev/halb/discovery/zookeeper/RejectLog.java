package dev.halb.discovery.zookeeper;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs and counts a skipped node once per path and data version: a cache that
 * re-reads the node after a reconnect, or a node that stays broken for days, does not flood the
 * log or inflate the counter; a new version of the node is a new rejection.
 */
final class RejectLog {

    private static final Logger log = LoggerFactory.getLogger(RejectLog.class);

    private final String what;
    private final DiscoveryRecorder recorder;
    /** path -> data version last reported. */
    private final Map<String, Integer> reported = new ConcurrentHashMap<>();

    /** @param what the kind of node, e.g. {@code service instance}, for the log */
    RejectLog(String what, DiscoveryRecorder recorder) {
        this.what = what;
        this.recorder = recorder;
    }

    /** Reports {@code path} at {@code version} unless it was already reported at that version. */
    void reject(String path, int version, String reason) {
        Integer previous = reported.put(path, version);
        if (previous != null && previous == version) {
            return;
        }
        log.warn("skipping {} {} (version {}): {}", what, path, version, reason);
        try {
            recorder.rejected(path, reason);
        } catch (RuntimeException e) {
            log.warn("discovery recorder failed", e); // observers cannot hurt the data path
        }
    }

    /** The node is gone or readable again: a later rejection is news. */
    void clear(String path) {
        reported.remove(path);
    }

    boolean isRejected(String path) {
        return reported.containsKey(path);
    }
}
