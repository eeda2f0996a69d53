package dev.halb.core.balance;

/**
 * What a {@link VipSelector} reports about zone routing, for metrics. Implementations must be
 * cheap and should not throw; the selector guards every call so that a recorder bug cannot break
 * selection.
 */
public interface ZoneRoutingRecorder {

    /**
     * Zone routing was recomputed (off the hot path) and its mode changed, e.g. into a fallback.
     * Called from the thread that updates the selector, once per change.
     */
    void modeChanged(ZoneRouting.Mode previous, ZoneRouting.Mode current);

    /**
     * A new connection's first pick left the local zone through the proportional split
     * (spill-over). Runs on an event loop for such connections: no allocation, no blocking.
     */
    void spilledOver(String zone);

    /** A recorder that records nothing. */
    static ZoneRoutingRecorder disabled() {
        return DisabledZoneRoutingRecorder.INSTANCE;
    }
}
