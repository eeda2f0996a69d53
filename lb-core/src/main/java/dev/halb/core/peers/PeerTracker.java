package dev.halb.core.peers;

/**
 * One peer's state machine, fed probe outcomes in order: a pass makes it {@code serving}, a 503
 * makes it {@code draining} at once, and {@code unhealthyThreshold} failures in a row make it
 * {@code down}. Fewer failures leave the state as it was, so one lost probe moves nothing.
 * Not thread-safe: the monitor calls it under its lock.
 */
final class PeerTracker {

    /** What one probe found. */
    enum Outcome {
        PASS,
        DRAINING,
        FAIL
    }

    private final int unhealthyThreshold;
    private PeerState state = PeerState.SERVING;
    private int failures;

    PeerTracker(int unhealthyThreshold) {
        if (unhealthyThreshold < 1) {
            throw new IllegalArgumentException("unhealthyThreshold: " + unhealthyThreshold + " (expected: >= 1)");
        }
        this.unhealthyThreshold = unhealthyThreshold;
    }

    /** Applies one outcome; returns the state after it. */
    PeerState record(Outcome outcome) {
        switch (outcome) {
            case PASS -> {
                failures = 0;
                state = PeerState.SERVING;
            }
            case DRAINING -> {
                failures = 0;
                state = PeerState.DRAINING;
            }
            case FAIL -> {
                if (++failures >= unhealthyThreshold) {
                    state = PeerState.DOWN;
                }
            }
        }
        return state;
    }

    PeerState state() {
        return state;
    }

    int failures() {
        return failures;
    }
}
