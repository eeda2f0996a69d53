package dev.halb.discovery;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on whichever thread submitted while no other
 * thread was draining. Lets {@link SnapshotPublisher} call listeners outside its lock
 * without reordering: queue under the lock, {@link #drain} after it.
 */
final class SerialDispatcher implements Executor {

    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    @Override
    public void execute(Runnable task) {
        pending.add(task);
        drain();
    }

    /** Queues {@code task} without running anything: call {@link #drain} once the lock is released. */
    public void enqueue(Runnable task) {
        pending.add(task);
    }

    /** Runs what is queued, unless another thread is already doing so. */
    public void drain() {
        do {
            if (!draining.compareAndSet(false, true)) {
                return; // another thread is draining and will see our task
            }
            try {
                Runnable task;
                while ((task = pending.poll()) != null) {
                    task.run();
                }
            } finally {
                draining.set(false);
            }
        } while (!pending.isEmpty());
    }
}
