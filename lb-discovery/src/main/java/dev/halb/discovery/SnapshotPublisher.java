package dev.halb.discovery;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the latest immutable snapshot of something and hands it to listeners: the latest at
 * once on subscribe, then each change; a snapshot equal to the last is not published. Every
 * snapshot stream of halb goes through one of these (a service's backends in the catalog, the
 * replica set, the VIP nodes, the ZooKeeper connection state).
 *
 * <p>Order: calls are queued while the lock is held, so they keep the order of the changes, and
 * run after it is released, on whichever thread finds the queue idle, so no listener runs under
 * a lock and no two run at once. A listener therefore never gets an older snapshot after a newer
 * one, however many threads publish. An owner that computes snapshots under a lock of its own
 * {@linkplain #offer offers} them under that lock and {@linkplain #drain drains} after releasing
 * it, so that its lock's order is the order listeners see.
 */
public final class SnapshotPublisher<T> {

    private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final String what;
    private final Object lock = new Object();
    private final CopyOnWriteArrayList<Consumer<? super T>> listeners = new CopyOnWriteArrayList<>();
    private final SerialDispatcher calls = new SerialDispatcher();
    /** {@code null} until the first publish; guarded by {@link #lock} for writes. */
    private volatile T latest;

    /**
     * @param what    names the snapshot in logs, e.g. {@code replicas}
     * @param initial what subscribers get before the first publish, or {@code null} for nothing
     */
    public SnapshotPublisher(String what, T initial) {
        this.what = what;
        this.latest = initial;
    }

    /** The latest snapshot, or {@code null} when nothing was published yet. */
    public T latest() {
        return latest;
    }

    /** Subscribes {@code listener}: the latest snapshot soon (before return when no call is running), then each change. */
    public AutoCloseable subscribe(Consumer<? super T> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            listeners.add(listener);
            T current = latest;
            if (current != null) {
                calls.enqueue(() -> call(listener, current));
            }
        }
        calls.drain();
        return () -> listeners.remove(listener);
    }

    /** @return whether {@code next} differed from the latest and was published */
    public boolean publish(T next) {
        boolean changed = offer(next);
        drain();
        return changed;
    }

    /**
     * Makes {@code next} the latest and queues the calls, without making them: the caller holds
     * a lock of its own and calls {@link #drain} once it has released it.
     *
     * @return whether {@code next} differed from the latest
     */
    public boolean offer(T next) {
        Objects.requireNonNull(next, "next");
        synchronized (lock) {
            if (next.equals(latest)) {
                return false;
            }
            latest = next;
            for (Consumer<? super T> listener : listeners) {
                calls.enqueue(() -> call(listener, next));
            }
        }
        return true;
    }

    /** Makes the queued calls, unless another thread is making them already (it will make these too). */
    public void drain() {
        calls.drain();
    }

    private void call(Consumer<? super T> listener, T snapshot) {
        if (!listeners.contains(listener)) {
            return; // unsubscribed after the call was queued
        }
        try {
            listener.accept(snapshot);
        } catch (RuntimeException e) {
            log.warn("{} listener failed", what, e);
        }
    }
}
