package dev.halb.discovery;

import java.util.List;

/**
 * A place backends come from: static configuration, ZooKeeper, anything else.
 *
 * <p>A source tells its listener the whole list of a service's backends each time that list
 * changes. It never reports an empty list because it lost its connection: a source that cannot
 * see its backing store keeps quiet, so the catalog keeps the last list it had (static stability).
 */
public interface BackendSource extends AutoCloseable {

    /** Receives whole per-service lists. Called from the source's own thread; must not block. */
    @FunctionalInterface
    interface Listener {
        void onBackends(BackendSource source, String service, List<Backend> backends);
    }

    /** A short name for logs, e.g. {@code static} or {@code zookeeper}. */
    String name();

    /**
     * Starts reporting to {@code listener}, first with what the source knows now. Called once.
     */
    void start(Listener listener) throws Exception;

    /** Stops reporting. Idempotent. */
    @Override
    void close();
}
