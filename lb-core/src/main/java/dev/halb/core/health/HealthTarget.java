package dev.halb.core.health;

import dev.halb.discovery.Backend;
import java.net.InetSocketAddress;

/**
 * What health checking and outlier detection need of a backend: its identity, what discovery
 * said of it, and the resolved address that connections go to. The selection layer's endpoints
 * are health targets, so that a connect outcome reported from the data path names the backend
 * it was about without this package knowing of selection.
 */
public interface HealthTarget {

    /** The backend's id, its identity across snapshots. */
    String id();

    /** The backend as discovery reported it. */
    Backend backend();

    /** Where connections to this backend go, its host name resolved. */
    InetSocketAddress address();
}
