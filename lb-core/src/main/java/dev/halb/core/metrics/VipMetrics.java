package dev.halb.core.metrics;

import dev.halb.discovery.Backend;

/**
 * What the proxy reports about one VIP. Implementations must be cheap and must never throw:
 * they run on event loops for every connection.
 */
public interface VipMetrics {

    /** Why a client connection was closed before it reached a backend. */
    enum Rejection {
        /** {@code maxConnections} reached. */
        MAX_CONNECTIONS("max_connections"),
        /** Every connect attempt, retries included, failed. */
        CONNECT_FAILED("connect_failed"),
        /** The VIP is draining or being removed. */
        DRAINING("draining"),
        /**
         * This replica could not open the backend connection (out of file descriptors, socket
         * buffers, memory or local ports): its own fault, not the backend's.
         */
        NO_RESOURCES("no_resources");

        private final String label;

        Rejection(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A client connection was accepted and counted as active. */
    void connectionOpened();

    /** An accepted client connection closed. */
    void connectionClosed();

    /** A client connection was refused; it was never counted as active. */
    void rejected(Rejection reason);

    /** No candidate backend at all for a new client connection. */
    void noBackend();

    /** A backend connect succeeded after {@code nanos}. */
    void connectSucceeded(Backend backend, long nanos);

    /** A backend connect failed (refused, reset or timed out). */
    void connectFailed(Backend backend);

    /** A connection went to a backend in {@code zone} ("" = no zone). */
    void zoneConnection(String zone);

    /** A connection went to a backend in {@code region} ("" = no region). */
    void regionConnection(String region);

    void bytesClientToBackend(long bytes);

    void bytesBackendToClient(long bytes);

    /** A recorder that records nothing. */
    static VipMetrics disabled() {
        return DisabledVipMetrics.INSTANCE;
    }
}
