package dev.halb.core.health;

import dev.halb.core.balance.Endpoint;
import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link HealthMonitor} on an embedded event loop whose time only moves when a test says so,
 * with a checker whose checks the test completes by hand. No threads, no sleeps.
 */
final class MonitorHarness implements AutoCloseable {

    /** A check the monitor started and the test has not answered yet. */
    record Pending(InetSocketAddress target, String host, HealthChecker.Result result) {
        void pass() {
            result.completed(true, "test pass");
        }

        void fail() {
            result.completed(false, "test fail");
        }
    }

    final MockTicker ticker = Ticker.newMockTicker();
    final EmbeddedChannel channel = EmbeddedChannel.builder().ticker(ticker).build();
    final ArrayDeque<Pending> pending = new ArrayDeque<>();
    final List<String> ejected = new ArrayList<>();
    final List<String> capped = new ArrayList<>();
    int changes;
    final HealthMonitor monitor;

    MonitorHarness(HealthCheckConfig check, OutlierDetectionConfig outlier) {
        HealthChecker checker = (target, host, result) -> pending.add(new Pending(target, host, result));
        HealthRecorder recorder = new HealthRecorder() {
            @Override
            public void ejected(Backend backend) {
                ejected.add(backend.id());
            }

            @Override
            public void ejectionCapped(Backend backend) {
                capped.add(backend.id());
            }
        };
        monitor = new HealthMonitor("web", check, outlier, channel.eventLoop(), checker, recorder, () -> changes++);
    }

    static Endpoint endpoint(int port) {
        return new Endpoint(Backend.ofStatic("127.0.0.1", port, Locality.NONE, 100),
                new InetSocketAddress("127.0.0.1", port));
    }

    static List<Endpoint> endpoints(int... ports) {
        List<Endpoint> list = new ArrayList<>();
        for (int p : ports) {
            list.add(endpoint(p));
        }
        return list;
    }

    /** Runs what is due now. */
    void run() {
        channel.runPendingTasks();
    }

    /** Moves time on, running every task that falls due on the way, in order. */
    void advance(long ms) {
        for (long i = 0; i < ms; i++) {
            ticker.advance(1, TimeUnit.MILLISECONDS);
            channel.runPendingTasks();
        }
    }

    /** Answers every pending check. */
    void answerAll(boolean pass) {
        List<Pending> now = new ArrayList<>(pending);
        pending.clear();
        for (Pending p : now) {
            if (pass) {
                p.pass();
            } else {
                p.fail();
            }
        }
        run();
    }

    /** Answers the pending checks of one backend, keeps the others. */
    void answer(int port, boolean pass) {
        List<Pending> now = new ArrayList<>(pending);
        pending.clear();
        for (Pending p : now) {
            if (p.target().getPort() == port) {
                if (pass) {
                    p.pass();
                } else {
                    p.fail();
                }
            } else {
                pending.add(p);
            }
        }
        run();
    }

    long pendingFor(int port) {
        return pending.stream().filter(p -> p.target().getPort() == port).count();
    }

    HealthStatus status(int port) {
        return monitor.status("127.0.0.1:" + port);
    }

    boolean candidate(int port) {
        return monitor.isCandidate("127.0.0.1:" + port);
    }

    @Override
    public void close() {
        monitor.close();
        run();
        channel.finishAndReleaseAll();
    }
}
