package dev.halb.core.health;

import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.HealthCheckType;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.logging.RateLimitedLog;
import dev.halb.discovery.Backend;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Active health checking of one VIP's backends, and the home of their outlier ejection.
 *
 * Every backend has a BackendState. All decisions run on one health event loop (shared by every
 * VIP of the replica, a thread or two in all), so the state machines need no locks; the data path
 * only reads volatile flags and bumps an atomic counter.
 *
 * State machine (Envoy's): a backend that appears is not healthy until checked. Its first check
 * decides at once: a pass makes it healthy (a candidate), a fail leaves it unhealthy. After that,
 * a healthy backend becomes unhealthy after unhealthyThreshold failed checks in a row, and an
 * unhealthy one healthy again after healthyThreshold passes in a row. With type none every
 * backend is healthy from the start and nothing is checked.
 *
 * Schedule: the first check runs at once, spread over at most FIRST_CHECK_SPREAD_MS so that
 * hundreds of backends that appear together (a start, a ZooKeeper resync) are not probed in one
 * burst. The next check starts a random 50-100 % of intervalMs after the first one started, which
 * spreads the backends' phases over the interval; every later one starts intervalMs less a random
 * 0-10 % after the previous one started, or when that one completes if it took longer. Jitter
 * only ever shortens the gap, so a backend that starts failing at time t is marked unhealthy by
 * t + intervalMs * unhealthyThreshold + timeoutMs at the latest.
 *
 * Candidates change when a backend's health or ejection changes; the VIP is told through
 * onChange, at most once per turn of the event loop however many backends changed in that turn,
 * and never while a lock of this class is held.
 */

/**
 * Health of one VIP's backends: active checks ({@code tcp}, {@code http} or {@code none}) and,
 * through {@link #connectObserver()}, outlier ejection after failed connects. The VIP publishes
 * new candidates when {@code onChange} runs, asking {@link #isCandidate} of each backend.
 *
 * <p>Lifecycle: {@link #update} whenever the VIP's backends change (the first call starts the
 * checks), {@link #close} once.
 */
public final class HealthMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);
    private final RateLimitedLog skippedLog = new RateLimitedLog(log);

    /** The first check of a new backend starts within this long (and within a tenth of the interval). */
    static final long FIRST_CHECK_SPREAD_MS = 50;
    /** Later checks start up to this share of the interval early. */
    static final double INTERVAL_JITTER = 0.1;

    private final String vip;
    private final HealthCheckConfig config;
    private final EventExecutor loop;
    /** {@code null} with type none. */
    private final HealthChecker checker;
    private final OutlierDetector outlier;
    private final Runnable onChange;
    private final Object lock = new Object();
    /** id -> state, replaced as a whole by {@link #update} under {@link #lock}; read anywhere. */
    private volatile Map<String, BackendState> states = Map.of();
    private volatile boolean closed;
    /** An onChange call is queued on the loop. Loop only. */
    private boolean changeQueued;

    /**
     * @param loop         the health event loop: checks connect from it and every decision runs on it
     * @param channelClass the socket channel of the replica's transport, matching {@code loop}
     * @param onChange     called on {@code loop} after candidates changed; must not block for long
     */
    public HealthMonitor(String vip, HealthCheckConfig check, OutlierDetectionConfig outlier, EventLoop loop,
                         Class<? extends Channel> channelClass, HealthRecorder recorder, Runnable onChange) {
        this(vip, check, outlier, loop, HealthChecker.create(check, loop, channelClass), recorder, onChange);
    }

    HealthMonitor(String vip, HealthCheckConfig check, OutlierDetectionConfig outlierConfig, EventExecutor loop,
                  HealthChecker checker, HealthRecorder recorder, Runnable onChange) {
        this.vip = Objects.requireNonNull(vip, "vip");
        this.config = Objects.requireNonNull(check, "check");
        this.loop = Objects.requireNonNull(loop, "loop");
        this.checker = check.type() == HealthCheckType.NONE ? null : Objects.requireNonNull(checker, "checker");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.outlier = new OutlierDetector(vip, outlierConfig, loop, this, Objects.requireNonNull(recorder, "recorder"));
    }

    /** Counts failed connects and ejects outliers; give it to the VIP's listener. */
    public ConnectObserver connectObserver() {
        return outlier;
    }

    /**
     * The VIP's backends now. New ones are checked at once (with type none they are healthy at
     * once); removed ones stop being checked; ones that stay keep their state. Any thread.
     */
    public void update(Collection<? extends HealthTarget> endpoints) {
        List<BackendState> added = new ArrayList<>();
        List<BackendState> removed = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            Map<String, BackendState> old = states;
            Map<String, BackendState> next = new HashMap<>(Math.max(16, endpoints.size() * 2));
            for (HealthTarget e : endpoints) {
                BackendState s = old.get(e.id());
                InetSocketAddress target = target(e);
                if (s != null && s.target.equals(target)) {
                    s.endpoint = e;
                } else {
                    s = new BackendState(e, target, host(e.backend(), target.getPort()), checker != null);
                    BackendState state = s;
                    s.ejectionTask = () -> outlier.onThreshold(state);
                    added.add(s);
                }
                next.put(e.id(), s);
            }
            for (BackendState s : old.values()) {
                if (next.get(s.id) != s) {
                    s.removed = true;
                    removed.add(s);
                }
            }
            states = next;
        }
        if (added.isEmpty() && removed.isEmpty()) {
            return;
        }
        onLoop(() -> {
            for (BackendState s : removed) {
                s.cancelTimers();
            }
            if (checker != null) {
                long spread = Math.min(FIRST_CHECK_SPREAD_MS, config.intervalMs() / 10);
                for (BackendState s : added) {
                    if (!s.removed) {
                        long delay = spread <= 0 ? 0 : ThreadLocalRandom.current().nextLong(
                                TimeUnit.MILLISECONDS.toNanos(spread));
                        s.nextCheck = loop.schedule(() -> runCheck(s), delay, TimeUnit.NANOSECONDS);
                    }
                }
            }
        });
    }

    private InetSocketAddress target(HealthTarget e) {
        InetSocketAddress a = e.address();
        return config.port() == 0 || config.port() == a.getPort() ? a : new InetSocketAddress(a.getAddress(), config.port());
    }

    private static String host(Backend b, int port) {
        return Backend.staticId(b.address(), port);
    }

    /** Healthy and not ejected: may get new connections unless an operator drained it. */
    public boolean isCandidate(String id) {
        BackendState s = states.get(id);
        return s != null && s.isCandidate(nanoTime());
    }

    /** {@link HealthStatus#UNHEALTHY} for an unknown backend. */
    public HealthStatus status(String id) {
        BackendState s = states.get(id);
        return s == null ? HealthStatus.UNHEALTHY : s.status(nanoTime());
    }

    /** Whether the backend has had a check result (always, with type none). */
    public boolean checked(String id) {
        BackendState s = states.get(id);
        return s != null && s.checked;
    }

    /** How long the first checks of backends that appear together can take. */
    public long firstCheckBudgetMs() {
        return checker == null ? 0 : Math.min(FIRST_CHECK_SPREAD_MS, config.intervalMs() / 10) + config.timeoutMs();
    }

    /** Ejection attempts refused by {@code maxEjectionPercent} so far. */
    public long ejectionsCapped() {
        return outlier.capped();
    }

    /** Stops every check and ejection timer. Idempotent. */
    @Override
    public void close() {
        Collection<BackendState> all;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all = states.values();
        }
        for (BackendState s : all) {
            s.removed = true;
        }
        onLoop(() -> all.forEach(BackendState::cancelTimers));
    }

    // ---- on the health event loop ----

    BackendState state(String id) {
        return states.get(id);
    }

    Collection<BackendState> states() {
        return states.values();
    }

    boolean hasActiveChecks() {
        return checker != null;
    }

    long nanoTime() {
        return loop.ticker().nanoTime();
    }

    private void runCheck(BackendState s) {
        s.nextCheck = null;
        if (s.removed || s.inFlight) {
            return;
        }
        s.inFlight = true;
        s.checkStartNanos = nanoTime();
        try {
            checker.check(s.target, s.host, new HealthChecker.Result() {
                @Override
                public void completed(boolean healthy, String detail) {
                    onCheckLoop(() -> onResult(s, healthy, detail));
                }

                @Override
                public void skipped(String detail) {
                    onCheckLoop(() -> onSkipped(s, detail));
                }
            });
        } catch (RuntimeException e) {
            onResult(s, false, "cannot check: " + e.getMessage());
        }
    }

    private void onCheckLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            onLoop(r);
        }
    }

    /** A check this replica could not make (out of descriptors, say): the backend keeps its state. */
    private void onSkipped(BackendState s, String detail) {
        s.inFlight = false;
        if (s.removed) {
            return;
        }
        skippedLog.warn("VIP {}: could not check backend {}: {}; its state stays {}", vip, s.id, detail,
                s.healthy ? "healthy" : "unhealthy");
        scheduleNext(s);
    }

    /** Checks a backend now, unless a check is under way (its result will do). */
    void checkNow(BackendState s) {
        if (checker == null || s.removed || s.inFlight) {
            return;
        }
        if (s.nextCheck != null) {
            s.nextCheck.cancel(false);
        }
        runCheck(s);
    }

    private void onResult(BackendState s, boolean passed, String detail) {
        s.inFlight = false;
        if (s.removed) {
            return;
        }
        long now = nanoTime();
        boolean wasCandidate = s.isCandidate(now);
        boolean first = !s.checked;
        s.checked = true;
        s.checks++;
        if (passed) {
            s.failuresInRow = 0;
            if (!s.healthy && (first || ++s.passesInRow >= config.healthyThreshold())) {
                s.healthy = true;
                s.passesInRow = 0;
                if (first) {
                    log.debug("VIP {}: backend {} healthy ({})", vip, s.id, detail);
                } else {
                    log.info("VIP {}: backend {} healthy again after {} passed checks", vip, s.id,
                            config.healthyThreshold());
                }
            }
            if (s.outlier && !s.ejectedAt(now)) {
                outlier.reinstate(s); // its time is up and a check passed
            }
        } else {
            s.passesInRow = 0;
            if (s.healthy && ++s.failuresInRow >= config.unhealthyThreshold()) {
                s.healthy = false;
                s.failuresInRow = 0;
                log.warn("VIP {}: backend {} unhealthy after {} failed checks in a row: {}", vip, s.id,
                        config.unhealthyThreshold(), detail);
            } else if (first) {
                log.warn("VIP {}: backend {} failed its first check: {}", vip, s.id, detail);
            }
        }
        if (first || wasCandidate != s.isCandidate(now)) {
            // A first result is passed on even when it changes nothing: a VIP waits for it.
            changed();
        }
        scheduleNext(s);
    }

    private void scheduleNext(BackendState s) {
        long interval = TimeUnit.MILLISECONDS.toNanos(config.intervalMs());
        double u = ThreadLocalRandom.current().nextDouble();
        long gap = s.checks == 1
                ? (long) (interval * (0.5 + 0.5 * u))
                : (long) (interval * (1 - INTERVAL_JITTER * u));
        long delay = Math.max(0, s.checkStartNanos + gap - nanoTime());
        s.nextCheck = loop.schedule(() -> runCheck(s), delay, TimeUnit.NANOSECONDS);
    }

    /** Candidates changed: tell the VIP once this turn of the loop is over. */
    void changed() {
        if (changeQueued || closed) {
            return;
        }
        changeQueued = true;
        loop.execute(() -> {
            changeQueued = false;
            if (closed) {
                return;
            }
            try {
                onChange.run();
            } catch (RuntimeException e) {
                log.warn("VIP {}: publishing new candidates failed", vip, e);
            }
        });
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("VIP {}: health event loop is shut down", vip);
        }
    }
}
