package dev.halb.core.health;

import dev.halb.discovery.Backend;

/**
 * What health checking and outlier ejection report about one VIP. Called off the data path, on
 * the health event loop; implementations must not block, and whatever they throw is logged and
 * ignored.
 */
public interface HealthRecorder {

    /** {@code backend} was ejected after failed connects. */
    void ejected(Backend backend);

    /**
     * {@code backend} reached its failed-connect threshold but was not ejected, because that
     * would have ejected more than {@code maxEjectionPercent} of the VIP's backends.
     */
    void ejectionCapped(Backend backend);

    /** A recorder that records nothing. */
    static HealthRecorder disabled() {
        return NoopHealthRecorder.INSTANCE;
    }
}
