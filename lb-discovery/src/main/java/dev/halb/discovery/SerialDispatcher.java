package dev.halb.discovery;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on whichever thread submitted while no other
 * thread was draining. Lets the catalog call listeners outside its lock without reordering.
 */
final class SerialDispatcher implements Executor {

    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    @Override
    public void execute(Runnable task) {
        pending.add(task);
        drain();
    }

    private void drain() {
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
