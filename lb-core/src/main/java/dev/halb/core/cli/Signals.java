package dev.halb.core.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT handling: the first runs a graceful stop on its own thread; a second exits
 * at once. (A JVM shutdown hook cannot tell a second signal from the first, hence
 * {@code sun.misc.Signal}, which {@code jdk.unsupported} exports for exactly this.)
 */
final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** The graceful stop on the first signal; a second exits 0 at once. */
    /**
     * SIGHUP runs {@code reload} on a thread of its own, one reload at a time: a SIGHUP that comes
     * while one runs is remembered and runs once it is done (a burst of signals reloads at most
     * twice, the last time with the file as it is then).
     */
    static void onHangup(Runnable reload) {
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "halb-reload");
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean pending = new AtomicBoolean();
        Signal.handle(new Signal("HUP"), signal -> {
            if (pending.compareAndSet(false, true)) {
                one.execute(() -> {
                    pending.set(false);
                    log.info("SIGHUP received: reloading the configuration file");
                    reload.run();
                });
            }
        });
    }

    /**
     * SIGUSR1 runs {@code reopen} (reopening the access log after logrotate moved it) on the
     * signal's own thread: it only sets a flag that the log's writer reads.
     */
    static void onUser1(Runnable reopen) {
        Signal.handle(new Signal("USR1"), signal -> {
            log.info("SIGUSR1 received: reopening the access log");
            reopen.run();
        });
    }

    static void onTerminate(Runnable gracefulStop) {
        onTerminate(gracefulStop, () -> Main.OK);
    }

    /**
     * The graceful stop on the first signal; a second exits at once with the code that
     * {@code hurriedExit} returns (it may wait a bounded time for what must happen before an exit,
     * and say in its code whether it did).
     */
    static void onTerminate(Runnable gracefulStop, IntSupplier hurriedExit) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (stopping.compareAndSet(false, true)) {
                    log.info("SIG{} received: draining (send it again to exit at once)", signal.getName());
                    Thread t = new Thread(gracefulStop, "halb-drain");
                    t.start();
                } else {
                    log.warn("SIG{} received again: exiting at once", signal.getName());
                    Runtime.getRuntime().halt(hurriedExit.getAsInt());
                }
            });
        }
    }
}
