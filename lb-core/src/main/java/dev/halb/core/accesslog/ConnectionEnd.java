package dev.halb.core.accesslog;

import java.util.Locale;

/**
 * How a client connection ended, as the access log's {@code end} field. For a connection that
 * reached a backend, the first hard end (a reset, a timeout, halb closing it) wins over a FIN seen
 * earlier; otherwise the side whose FIN came first.
 */
public enum ConnectionEnd {
    /** The client sent its FIN first, and the connection then closed in order. */
    CLIENT_FIN,
    /** The backend sent its FIN (or closed) first. */
    BACKEND_FIN,
    /** The client reset the connection (or its socket failed). */
    CLIENT_RESET,
    /** The backend reset the connection (or its socket failed). */
    BACKEND_RESET,
    /** No byte either way for {@code idleTimeoutMs}: halb closed it. */
    IDLE_TIMEOUT,
    /** Half-closed, or one side gone, and nothing moved for {@code finTimeoutMs}: halb reset it. */
    FIN_TIMEOUT,
    /** Every backend connect tried (1 + {@code connectRetries}) failed. */
    CONNECT_FAILED,
    /** No backend was a candidate. */
    NO_BACKEND,
    /** Refused at once: the VIP had {@code maxConnections} open. */
    MAX_CONNECTIONS,
    /** Closed by halb because a drain ran out of time (the replica's, or a removed or moved VIP's). */
    DRAINING,
    /** Closed by halb because the replica stopped. */
    SHUTDOWN,
    /** Closed by halb because it ran short of a local resource (file descriptors, direct memory). */
    NO_RESOURCES;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name written to the log. */
    public String label() {
        return label;
    }
}
