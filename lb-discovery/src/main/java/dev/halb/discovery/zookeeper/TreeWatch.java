package dev.halb.discovery.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CuratorCache} under one base path that reports nodes by their path relative to it.
 *
 * <p>Why CuratorCache: one persistent recursive watch covers the whole subtree (ZooKeeper 3.6+),
 * and after a reconnect or a new session it re-reads every node it holds and the base path, so
 * nodes created during an outage appear and nodes that went with an expired session disappear.
 * While disconnected it keeps what it has and reports nothing: the basis of static stability.
 *
 * <p>Handlers run on the Curator client's event thread, one at a time; they must not block. A
 * handler that throws is logged, never passed back to Curator.
 */
final class TreeWatch implements AutoCloseable {

    /** What the watch reports. */
    interface Handler {
        /** A node below the base path was created or changed; {@code segments} is its relative path. */
        void changed(List<String> segments, ChildData data);

        /** A node below the base path is gone. */
        void deleted(List<String> segments, ChildData previous);

        /** The first full read is done (called at most once). */
        void initialized();
    }

    private static final Logger log = LoggerFactory.getLogger(TreeWatch.class);

    private final String basePath;
    private final CuratorCache cache;
    private final Handler handler;
    private final CountDownLatch initialized = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    TreeWatch(CuratorFramework client, String basePath, Handler handler) {
        this.basePath = basePath;
        this.handler = handler;
        this.cache = CuratorCache.builder(client, basePath).withExceptionHandler(this::onError).build();
        cache.listenable().addListener(new CuratorCacheListener() {
            @Override
            public void event(Type type, ChildData oldData, ChildData data) {
                onEvent(type, oldData, data);
            }

            @Override
            public void initialized() {
                onInitialized();
            }
        });
    }

    void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        cache.start();
    }

    /** Waits for the first full read; {@code true} once done. */
    boolean awaitInitialized(Duration timeout) throws InterruptedException {
        return initialized.await(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    boolean isInitialized() {
        return initialized.getCount() == 0;
    }

    private void onEvent(CuratorCacheListener.Type type, ChildData oldData, ChildData data) {
        if (closed.get()) {
            return;
        }
        ChildData node = data != null ? data : oldData;
        List<String> segments = relative(node.getPath());
        if (segments.isEmpty()) {
            return; // the base path itself
        }
        try {
            if (type == CuratorCacheListener.Type.NODE_DELETED) {
                handler.deleted(segments, oldData);
            } else {
                handler.changed(segments, data);
            }
        } catch (RuntimeException e) {
            log.warn("handling {} of {} failed", type, node.getPath(), e);
        }
    }

    private void onInitialized() {
        if (initialized.getCount() == 0 || closed.get()) { // CuratorCache calls it once; be sure
            return;
        }
        try {
            handler.initialized();
        } catch (RuntimeException e) {
            log.warn("handling the initial read of {} failed", basePath, e);
        } finally {
            initialized.countDown(); // after the handler, so that a waiter sees what it published
        }
    }

    private List<String> relative(String path) {
        if (path.equals(basePath) || !path.startsWith(basePath)) {
            return List.of();
        }
        String rest = basePath.equals("/") ? path.substring(1) : path.substring(basePath.length());
        if (rest.startsWith("/")) {
            rest = rest.substring(1);
        } else if (!basePath.equals("/")) {
            return List.of(); // a sibling such as /halb/services2
        }
        return rest.isEmpty() ? List.of() : List.of(rest.split("/"));
    }

    private void onError(Exception e) {
        // Lost connections and sessions are expected in an outage; the cache rebuilds afterwards.
        if (e instanceof KeeperException.ConnectionLossException
                || e instanceof KeeperException.SessionExpiredException
                || e instanceof KeeperException.SessionMovedException) {
            log.debug("watch on {}: {}", basePath, e.toString());
        } else {
            log.warn("watch on {}: {}", basePath, e.toString());
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            cache.close();
        }
    }
}
