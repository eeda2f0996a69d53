package dev.halb.discovery.zookeeper;

import dev.halb.discovery.SerialDispatcher;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the latest immutable snapshot of something and hands it to listeners: the
 * latest at once on subscribe, then each change; a snapshot equal to the last is not published.
 *
 * <p>Calls are queued while the lock is held, so they keep the order of the changes, and run
 * after it is released, on whichever thread finds the queue idle, so no listener runs under a
 * lock and no two run at once.
 */
final class SnapshotPublisher<T> {

    private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final String what;
    private final Object lock = new Object();
    private final CopyOnWriteArrayList<Consumer<? super T>> listeners = new CopyOnWriteArrayList<>();
    private final SerialDispatcher calls = new SerialDispatcher();
    /** {@code null} until the first publish; guarded by {@link #lock} for writes. */
    private volatile T latest;

    /** @param what names the snapshot in logs, e.g. {@code replicas} */
    SnapshotPublisher(String what, T initial) {
        this.what = what;
        this.latest = initial;
    }

    /** The latest snapshot, or {@code null} when nothing was published yet. */
    T latest() {
        return latest;
    }

    AutoCloseable subscribe(Consumer<? super T> listener) {
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
    boolean publish(T next) {
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
        calls.drain();
        return true;
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
