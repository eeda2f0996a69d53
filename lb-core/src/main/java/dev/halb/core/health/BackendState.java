package dev.halb.core.health;

import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Health of one backend of one VIP: the active-check state machine, the failed-connect counter
 * and the ejection. Plain fields belong to the health event loop; {@code volatile} ones are read
 * by the data path, the VIP's publisher and the admin API; the connect counters are touched by
 * the proxy's event loops.
 */
final class BackendState {

    final String id;
    /** Where checks go: the backend's address, on the health check port when one is set. */
    final InetSocketAddress target;
    /** The HTTP {@code Host} header of checks. */
    final String host;
    /** The latest attributes (weight, zone) under this id. */
    volatile HealthTarget endpoint;
    /** Set once when the backend leaves the VIP (or the VIP closes): no more checks or ejections. */
    volatile boolean removed;

    // ---- active checks ----
    /** Passing its checks (always, with type none). A backend not checked yet is not healthy. */
    volatile boolean healthy;
    /** Has had at least one check result. */
    volatile boolean checked;
    int passesInRow;
    int failuresInRow;
    int checks;
    boolean inFlight;
    long checkStartNanos;
    ScheduledFuture<?> nextCheck;

    // ---- outlier ejection ----
    /** Failed connects in a row, from real traffic. */
    final AtomicInteger connectFailures = new AtomicInteger();
    /** An ejection decision has been handed to the health event loop and not made yet. */
    final AtomicBoolean ejectionRequested = new AtomicBoolean();
    /** Runs the ejection decision on the health event loop; made once, reused on every request. */
    Runnable ejectionTask;
    /**
     * Ejected and not returned since. The ejection is in force until {@link #ejectedUntilNanos};
     * after that, with active checks, the backend stays out until a check passes. Written after
     * {@code ejectedUntilNanos}, so a reader that sees it set sees the time too.
     */
    volatile boolean outlier;
    /** When the latest ejection ends, on the health event loop's ticker; meaningful while {@link #outlier}. */
    volatile long ejectedUntilNanos;
    /** Ejections so far, less those forgiven for good behaviour since; sets the next ejection's length. */
    int ejections;
    long returnedAtNanos;
    ScheduledFuture<?> ejectionEnd;
    /** With type none nothing is checked, so an ejected backend returns when its time is up. */
    private final boolean activeChecks;

    BackendState(HealthTarget endpoint, InetSocketAddress target, String host, boolean activeChecks) {
        this.id = endpoint.id();
        this.endpoint = endpoint;
        this.target = target;
        this.host = host;
        this.activeChecks = activeChecks;
        this.healthy = !activeChecks;
        this.checked = !activeChecks;
    }

    /**
     * Whether the ejection is in force at {@code now}. Derived from the time rather than kept as
     * a flag that a timer clears, so that what the admin API and the health gauge show cannot
     * outlast the ejection, whenever the timer runs.
     */
    boolean ejectedAt(long now) {
        return outlier && now - ejectedUntilNanos < 0;
    }

    /** May get new connections as far as health goes. */
    boolean isCandidate(long now) {
        return status(now) == HealthStatus.HEALTHY;
    }

    /**
     * Ejected while the ejection is in force. Once its time is up a backend that has not passed a
     * check since is no candidate, and it says unhealthy rather than healthy: its latest checks
     * may still have been passes from before it failed its connects.
     */
    HealthStatus status(long now) {
        if (outlier) {
            if (now - ejectedUntilNanos < 0) {
                return HealthStatus.EJECTED;
            }
            if (activeChecks) {
                return HealthStatus.UNHEALTHY;
            }
        }
        return healthy ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY;
    }

    /** Cancels whatever is scheduled for this backend. Health event loop only. */
    void cancelTimers() {
        if (nextCheck != null) {
            nextCheck.cancel(false);
            nextCheck = null;
        }
        if (ejectionEnd != null) {
            ejectionEnd.cancel(false);
            ejectionEnd = null;
        }
    }
}
