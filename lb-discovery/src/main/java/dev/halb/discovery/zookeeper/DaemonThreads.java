package dev.halb.discovery.zookeeper;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** Named daemon threads: discovery must never keep a JVM alive that is otherwise done. */
final class DaemonThreads {

    private DaemonThreads() {
    }

    /** One thread; cancelled tasks are dropped at once rather than kept until their delay. */
    static ScheduledExecutorService single(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
