package dev.halb.core.balance;

/**
 * What a {@link VipSelector} reports about region failover, for metrics and the log.
 * Implementations must be cheap and should not throw; the selector guards every call so that a
 * recorder bug cannot break selection.
 */
public interface RegionRoutingRecorder {

    /**
     * Region routing was recomputed (off the hot path) and its mode changed, e.g. into failover.
     * Called from the thread that updates the selector, once per change.
     */
    void modeChanged(RegionRouting.Mode previous, RegionRouting.Mode current);

    /** A recorder that records nothing. */
    static RegionRoutingRecorder disabled() {
        return DisabledRegionRoutingRecorder.INSTANCE;
    }
}
