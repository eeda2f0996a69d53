package dev.halb.core.health;

import dev.halb.core.config.OutlierDetectionConfig;
import io.netty.util.concurrent.EventExecutor;
import java.util.Collection;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Outlier ejection from real traffic (Envoy's consecutive-5xx detector, for connects).
 *
 * Counting, on the proxy's event loops: every failed connect bumps the backend's counter, every
 * successful one resets it (written only when it is not zero already, so healthy traffic does not
 * bounce a cache line between loops). The lookup is a read of an immutable map by id; nothing is
 * allocated. When the counter reaches consecutiveFailures, one task (made once per backend) is
 * handed to the health event loop; a flag keeps it from being queued twice.
 *
 * Deciding, on the health event loop: the backend is ejected unless that would put more than
 * maxEjectionPercent of the VIP's backends out at once - then it is not ejected, the refusal is
 * counted and logged once per episode, and its counter starts again (active checks still take a
 * dead backend out). The k-th ejection lasts baseEjectionMs * 2^(k-1), at most 300 s. Good
 * behaviour is forgiven: each stretch in service as long as the next ejection would last takes
 * one ejection off the count, so a backend that flaps keeps doubling while one that failed once
 * long ago starts again at baseEjectionMs.
 *
 * Returning: when its time is up an ejected backend is checked at once, and returns with the first
 * check that passes (and is a candidate again once its health state is healthy); with type none
 * it returns when its time is up. "Ejected" means the ejection is in force and nothing else: it is
 * read as "ejected until T" against the clock, so from T on the backend shows what its checks say
 * (unhealthy until one passes), and only ejections in force count towards maxEjectionPercent.
 */
final class OutlierDetector implements ConnectObserver {

    private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

    private final String vip;
    private final OutlierDetectionConfig config;
    private final EventExecutor loop;
    private final HealthMonitor monitor;
    private final HealthRecorder recorder;
    private final AtomicLong capped = new AtomicLong();
    /** The cap refused an ejection and nothing was ejected or returned since. Loop only. */
    private boolean capLogged;

    OutlierDetector(String vip, OutlierDetectionConfig config, EventExecutor loop, HealthMonitor monitor,
                    HealthRecorder recorder) {
        this.vip = vip;
        this.config = config;
        this.loop = loop;
        this.monitor = monitor;
        this.recorder = recorder;
    }

    // ---- on the proxy's event loops: cheap, no allocation, never throws ----

    @Override
    public void connectSucceeded(HealthTarget endpoint) {
        try {
            BackendState s = monitor.state(endpoint.id());
            if (s != null && s.connectFailures.get() != 0) {
                s.connectFailures.set(0);
            }
        } catch (RuntimeException e) {
            log.debug("VIP {}: connect observer failed", vip, e);
        }
    }

    @Override
    public void connectFailed(HealthTarget endpoint) {
        try {
            int threshold = config.consecutiveFailures();
            if (threshold <= 0) {
                return;
            }
            BackendState s = monitor.state(endpoint.id());
            // Out, in force or waiting for a check to pass: late failures of connects picked
            // before it went out say nothing new. A flag read, no clock read on the data path.
            if (s == null || s.outlier || s.removed) {
                return;
            }
            if (s.connectFailures.incrementAndGet() >= threshold && s.ejectionRequested.compareAndSet(false, true)) {
                try {
                    loop.execute(s.ejectionTask);
                } catch (RejectedExecutionException e) {
                    s.ejectionRequested.set(false); // shutting down
                }
            }
        } catch (RuntimeException e) {
            log.debug("VIP {}: connect observer failed", vip, e);
        }
    }

    // ---- on the health event loop ----

    long capped() {
        return capped.get();
    }

    /** A backend reached its failed-connect threshold: eject it, unless the cap forbids. */
    void onThreshold(BackendState s) {
        s.ejectionRequested.set(false);
        if (s.removed || s.outlier || s.connectFailures.get() < config.consecutiveFailures()) {
            return; // gone, already out, or a connect succeeded meanwhile
        }
        s.connectFailures.set(0);
        long now = monitor.nanoTime();
        Collection<BackendState> all = monitor.states();
        int ejected = 0;
        for (BackendState other : all) {
            // one whose time is up and that still fails its checks is out by its checks,
            // which the cap does not limit
            if (other.ejectedAt(now)) {
                ejected++;
            }
        }
        if ((ejected + 1) * 100L > (long) config.maxEjectionPercent() * all.size()) {
            capped.incrementAndGet();
            record(true, s);
            if (!capLogged) {
                capLogged = true;
                log.warn("VIP {}: backend {} failed {} connects in a row but is not ejected: {} of {} backends are "
                                + "ejected already (maxEjectionPercent {})", vip, s.id, config.consecutiveFailures(),
                        ejected, all.size(), config.maxEjectionPercent());
            }
            return;
        }
        int count = s.ejections;
        if (count > 0) {
            long quiet = now - s.returnedAtNanos;
            while (count > 0 && quiet >= duration(count + 1)) {
                quiet -= duration(count + 1);
                count--;
            }
        }
        if (duration(count) < TimeUnit.MILLISECONDS.toNanos(OutlierDetectionConfig.MAX_EJECTION_MS)) {
            count++;
        }
        s.ejections = count;
        long nanos = duration(count);
        s.ejectedUntilNanos = now + nanos;
        s.outlier = true;
        capLogged = false;
        s.ejectionEnd = loop.schedule(() -> expire(s), nanos, TimeUnit.NANOSECONDS);
        record(false, s);
        log.warn("VIP {}: backend {} ejected for {} ms after {} failed connects in a row", vip, s.id,
                TimeUnit.NANOSECONDS.toMillis(nanos), config.consecutiveFailures());
        monitor.changed();
    }

    /** How long the {@code k}-th ejection lasts (k >= 1), in nanoseconds. */
    long duration(int k) {
        long max = OutlierDetectionConfig.MAX_EJECTION_MS;
        long ms = Math.min(Math.max(1, config.baseEjectionMs()), max);
        for (int i = 1; i < k && ms < max; i++) {
            ms *= 2;
        }
        return TimeUnit.MILLISECONDS.toNanos(Math.min(ms, max));
    }

    /**
     * The ejection's time is up. What it shows changes by itself (see {@link BackendState#status});
     * this starts the way back.
     */
    private void expire(BackendState s) {
        s.ejectionEnd = null;
        if (s.removed || !s.outlier) {
            return;
        }
        if (monitor.hasActiveChecks()) {
            monitor.checkNow(s);
        } else {
            reinstate(s);
        }
    }

    /** The ejection is over and, with active checks, a check passed since. */
    void reinstate(BackendState s) {
        s.outlier = false;
        s.returnedAtNanos = monitor.nanoTime();
        s.connectFailures.set(0);
        capLogged = false;
        log.info("VIP {}: backend {} returns after its ejection", vip, s.id);
        monitor.changed();
    }

    private void record(boolean cap, BackendState s) {
        try {
            if (cap) {
                recorder.ejectionCapped(s.endpoint.backend());
            } else {
                recorder.ejected(s.endpoint.backend());
            }
        } catch (RuntimeException e) {
            log.warn("VIP {}: health recorder failed", vip, e);
        }
    }
}
