package dev.halb.core.health;


/**
 * Receives the outcome of every backend connect the proxy makes. Called on event loops: must be
 * cheap and must not throw.
 */
public interface ConnectObserver {

    void connectSucceeded(HealthTarget endpoint);

    /** Refused, reset or timed out. */
    void connectFailed(HealthTarget endpoint);

    /** An observer that ignores everything. */
    static ConnectObserver disabled() {
        return NoopConnectObserver.INSTANCE;
    }
}
