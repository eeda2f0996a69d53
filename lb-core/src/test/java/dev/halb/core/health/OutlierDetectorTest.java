package dev.halb.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.halb.core.balance.Endpoint;
import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.HealthCheckType;
import dev.halb.core.config.OutlierDetectionConfig;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Ejection after failed connects: thresholds, doubling, forgiveness, the cap and the return. */
class OutlierDetectorTest {

    private static final HealthCheckConfig NONE = new HealthCheckConfig(HealthCheckType.NONE, "/health", 0, 200, 100,
            2, 2);
    private static final HealthCheckConfig TCP = new HealthCheckConfig(HealthCheckType.TCP, "/health", 0, 200, 100,
            2, 2);
    private static final OutlierDetectionConfig OUTLIERS = new OutlierDetectionConfig(3, 1000, 50);

    @Test
    void consecutiveFailedConnectsEjectABackend() {
        try (MonitorHarness h = new MonitorHarness(NONE, OUTLIERS)) {
            Endpoint a = start(h, 9001, 9002, 9003, 9004);
            ConnectObserver observer = h.monitor.connectObserver();
            observer.connectFailed(a);
            observer.connectFailed(a);
            observer.connectSucceeded(a);
            observer.connectFailed(a);
            observer.connectFailed(a);
            h.run();
            assertThat(h.status(9001)).as("a success in between starts the count again").isEqualTo(HealthStatus.HEALTHY);
            int changesBefore = h.changes;
            observer.connectFailed(a);
            h.run();
            assertThat(h.status(9001)).isEqualTo(HealthStatus.EJECTED);
            assertThat(h.candidate(9001)).isFalse();
            assertThat(h.ejected).containsExactly("127.0.0.1:9001");
            assertThat(h.changes).isEqualTo(changesBefore + 1);
            // failures of connects that were under way when it was ejected change nothing
            for (int i = 0; i < 10; i++) {
                observer.connectFailed(a);
            }
            h.run();
            assertThat(h.ejected).hasSize(1);
        }
    }

    @Test
    void ejectionDoublesOnEachRepeatUpTo300Seconds() {
        try (MonitorHarness h = new MonitorHarness(NONE, OUTLIERS)) {
            Endpoint a = start(h, 9001, 9002, 9003, 9004);
            long expected = 1000;
            for (int k = 1; k <= 11; k++) {
                eject(h, a);
                assertThat(h.status(9001)).isEqualTo(HealthStatus.EJECTED);
                h.advance(expected - 1);
                assertThat(h.status(9001)).as("ejection %s still on after %s ms", k, expected - 1)
                        .isEqualTo(HealthStatus.EJECTED);
                h.advance(1);
                assertThat(h.status(9001)).as("ejection %s over after %s ms", k, expected)
                        .isEqualTo(HealthStatus.HEALTHY);
                expected = Math.min(expected * 2, OutlierDetectionConfig.MAX_EJECTION_MS);
            }
            assertThat(h.ejected).hasSize(11);
        }
    }

    @Test
    void goodBehaviourIsForgiven() {
        try (MonitorHarness h = new MonitorHarness(NONE, OUTLIERS)) {
            Endpoint a = start(h, 9001, 9002, 9003, 9004);
            eject(h, a);
            h.advance(1000); // back after 1 s
            eject(h, a);
            h.advance(2000); // back after 2 s: it flaps, so it doubles
            h.advance(4000 + 8000); // in service as long as the next two ejections would last
            eject(h, a);
            h.advance(999);
            assertThat(h.status(9001)).isEqualTo(HealthStatus.EJECTED);
            h.advance(1);
            assertThat(h.status(9001)).as("forgiven: one second again").isEqualTo(HealthStatus.HEALTHY);
        }
    }

    @Test
    void neverMoreThanMaxEjectionPercentEjectedAtOnce() {
        try (MonitorHarness h = new MonitorHarness(NONE, OUTLIERS)) {
            Endpoint a = start(h, 9001, 9002, 9003, 9004);
            Endpoint b = MonitorHarness.endpoint(9002);
            Endpoint c = MonitorHarness.endpoint(9003);
            eject(h, a);
            eject(h, b);
            eject(h, c);
            assertThat(h.status(9001)).isEqualTo(HealthStatus.EJECTED);
            assertThat(h.status(9002)).isEqualTo(HealthStatus.EJECTED);
            assertThat(h.status(9003)).as("a third of four would be 75 %").isEqualTo(HealthStatus.HEALTHY);
            assertThat(h.capped).containsExactly("127.0.0.1:9003");
            assertThat(h.monitor.ejectionsCapped()).isEqualTo(1);
            h.advance(1000);
            assertThat(h.status(9001)).isEqualTo(HealthStatus.HEALTHY);
            eject(h, c);
            assertThat(h.status(9003)).as("room again once one returned").isEqualTo(HealthStatus.EJECTED);
        }
    }

    @Test
    void oneBackendOfOneIsNeverEjectedAtFiftyPercent() {
        try (MonitorHarness h = new MonitorHarness(NONE, OUTLIERS)) {
            Endpoint a = start(h, 9001);
            eject(h, a);
            assertThat(h.status(9001)).isEqualTo(HealthStatus.HEALTHY);
            assertThat(h.capped).hasSize(1);
        }
    }

    @Test
    void withActiveChecksAnEjectedBackendReturnsOnlyWhenItsTimeIsUpAndACheckPasses() {
        try (MonitorHarness h = new MonitorHarness(TCP, OUTLIERS)) {
            h.monitor.update(MonitorHarness.endpoints(9001, 9002));
            h.advance(HealthMonitor.FIRST_CHECK_SPREAD_MS);
            h.answerAll(true);
            Endpoint a = MonitorHarness.endpoint(9001);
            h.monitor.update(java.util.List.of(a, MonitorHarness.endpoint(9002), MonitorHarness.endpoint(9003),
                    MonitorHarness.endpoint(9004)));
            h.advance(HealthMonitor.FIRST_CHECK_SPREAD_MS);
            h.answerAll(true);
            eject(h, a);
            // checks pass while it is ejected: it stays out until its time is up
            for (int t = 0; t < 999; t++) {
                h.advance(1);
                h.answerAll(true);
            }
            assertThat(h.status(9001)).isEqualTo(HealthStatus.EJECTED);
            h.advance(1);
            assertThat(h.pendingFor(9001)).as("checked at once when its time is up").isEqualTo(1);
            h.answer(9001, false);
            assertThat(h.status(9001)).as("a failed check keeps it out, and its ejection is over")
                    .isEqualTo(HealthStatus.UNHEALTHY);
            assertThat(h.candidate(9001)).isFalse();
            while (h.pendingFor(9001) == 0) {
                h.advance(1);
                h.answer(9002, true);
            }
            h.answer(9001, true);
            assertThat(h.status(9001)).isEqualTo(HealthStatus.HEALTHY);
            assertThat(h.candidate(9001)).isTrue();
        }
    }

    @Test
    void aBackendThatStaysDeadIsUnhealthyOnceItsEjectionIsOverAndHealthyWhenItComesBack() {
        try (MonitorHarness h = new MonitorHarness(TCP, OUTLIERS)) {
            Endpoint a = startChecked(h, 9001, 9002, 9003, 9004);
            eject(h, a);
            // dead: every check fails, and its checks make it unhealthy while it is ejected
            for (int t = 0; t < 999; t++) {
                h.advance(1);
                answerAllBut9001(h);
                h.answer(9001, false);
            }
            assertThat(h.status(9001)).as("ejected while the ejection is in force").isEqualTo(HealthStatus.EJECTED);
            for (int t = 0; t < 60_000; t++) {
                h.advance(1);
                answerAllBut9001(h);
                h.answer(9001, false);
                if (t % 1000 == 0) {
                    assertThat(h.status(9001)).as("still dead %s ms after its ejection", t)
                            .isEqualTo(HealthStatus.UNHEALTHY);
                }
            }
            assertThat(h.status(9001)).isEqualTo(HealthStatus.UNHEALTHY);
            assertThat(h.candidate(9001)).isFalse();
            assertThat(h.ejected).as("no new ejection while it is out").hasSize(1);

            int passes = 0;
            while (h.status(9001) != HealthStatus.HEALTHY && passes < 10) {
                h.advance(1);
                answerAllBut9001(h);
                if (h.pendingFor(9001) > 0) {
                    h.answer(9001, true);
                    passes++;
                }
            }
            assertThat(passes).as("back after healthyThreshold passes").isEqualTo(TCP.healthyThreshold());
            assertThat(h.status(9001)).isEqualTo(HealthStatus.HEALTHY);
            assertThat(h.candidate(9001)).isTrue();

            // failing again right after it came back: the second ejection lasts twice as long
            eject(h, a);
            assertThat(h.ejected).hasSize(2);
            for (int t = 0; t < 1999; t++) {
                h.advance(1);
                h.answerAll(true);
            }
            assertThat(h.status(9001)).as("second ejection still on after 1999 ms").isEqualTo(HealthStatus.EJECTED);
            h.advance(1);
            h.answerAll(true);
            assertThat(h.status(9001)).as("second ejection over after 2000 ms").isEqualTo(HealthStatus.HEALTHY);
        }
    }

    @Test
    void theStateFollowsTheClockEvenBeforeTheEndOfAnEjectionIsHandled() {
        try (MonitorHarness h = new MonitorHarness(NONE, OUTLIERS)) {
            Endpoint a = start(h, 9001, 9002, 9003, 9004);
            eject(h, a);
            h.ticker.advance(999, TimeUnit.MILLISECONDS);
            assertThat(h.status(9001)).isEqualTo(HealthStatus.EJECTED);
            h.ticker.advance(1, TimeUnit.MILLISECONDS);
            assertThat(h.status(9001)).as("type none: back when its time is up").isEqualTo(HealthStatus.HEALTHY);
        }
        try (MonitorHarness h = new MonitorHarness(TCP, OUTLIERS)) {
            Endpoint a = startChecked(h, 9001, 9002, 9003, 9004);
            eject(h, a);
            h.ticker.advance(1000, TimeUnit.MILLISECONDS);
            assertThat(h.status(9001)).as("active checks: out until a check passes").isEqualTo(HealthStatus.UNHEALTHY);
            assertThat(h.candidate(9001)).isFalse();
        }
    }

    @Test
    void onlyEjectionsInForceCountTowardsTheCap() {
        try (MonitorHarness h = new MonitorHarness(TCP, OUTLIERS)) {
            Endpoint a = startChecked(h, 9001, 9002, 9003, 9004);
            eject(h, a);
            for (int t = 0; t < 1500; t++) {
                h.advance(1);
                answerAllBut9001(h);
                h.answer(9001, false);
            }
            assertThat(h.status(9001)).isEqualTo(HealthStatus.UNHEALTHY);
            eject(h, MonitorHarness.endpoint(9002));
            eject(h, MonitorHarness.endpoint(9003));
            assertThat(h.status(9002)).isEqualTo(HealthStatus.EJECTED);
            assertThat(h.status(9003)).as("9001's ejection is over: two of four are ejected")
                    .isEqualTo(HealthStatus.EJECTED);
            assertThat(h.capped).isEmpty();
        }
    }

    @Test
    void consecutiveFailuresZeroTurnsEjectionOff() {
        try (MonitorHarness h = new MonitorHarness(NONE, new OutlierDetectionConfig(0, 1000, 100))) {
            Endpoint a = start(h, 9001, 9002);
            for (int i = 0; i < 100; i++) {
                h.monitor.connectObserver().connectFailed(a);
            }
            h.run();
            assertThat(h.status(9001)).isEqualTo(HealthStatus.HEALTHY);
        }
    }

    @Test
    void observerIgnoresUnknownEndpointsAndNeverThrows() {
        try (MonitorHarness h = new MonitorHarness(NONE, OUTLIERS)) {
            start(h, 9001);
            Endpoint stranger = MonitorHarness.endpoint(9999);
            assertThatCode(() -> {
                for (int i = 0; i < 10; i++) {
                    h.monitor.connectObserver().connectFailed(stranger);
                    h.monitor.connectObserver().connectSucceeded(stranger);
                }
                h.run();
            }).doesNotThrowAnyException();
            assertThat(h.ejected).isEmpty();
        }
    }

    @Test
    void ejectionDurationsDoubleAndCap() {
        OutlierDetector d = new OutlierDetector("web", OUTLIERS, null, null, HealthRecorder.disabled());
        assertThat(TimeUnit.NANOSECONDS.toMillis(d.duration(1))).isEqualTo(1000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(d.duration(2))).isEqualTo(2000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(d.duration(9))).isEqualTo(256_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(d.duration(10))).isEqualTo(300_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(d.duration(1000))).isEqualTo(300_000);
    }

    /** Adds backends on these ports (type none: healthy at once) and returns the first one's endpoint. */
    private static Endpoint start(MonitorHarness h, int... ports) {
        h.monitor.update(MonitorHarness.endpoints(ports));
        h.run();
        return MonitorHarness.endpoint(ports[0]);
    }

    /** Adds backends on these ports (type tcp), passes their first checks and returns the first one's endpoint. */
    private static Endpoint startChecked(MonitorHarness h, int... ports) {
        h.monitor.update(MonitorHarness.endpoints(ports));
        h.advance(HealthMonitor.FIRST_CHECK_SPREAD_MS);
        h.answerAll(true);
        for (int p : ports) {
            assertThat(h.status(p)).isEqualTo(HealthStatus.HEALTHY);
        }
        return MonitorHarness.endpoint(ports[0]);
    }

    /** Passes the pending checks of every backend but 9001's. */
    private static void answerAllBut9001(MonitorHarness h) {
        for (int p = 9002; p <= 9004; p++) {
            h.answer(p, true);
        }
    }

    private static void eject(MonitorHarness h, Endpoint e) {
        for (int i = 0; i < OUTLIERS.consecutiveFailures(); i++) {
            h.monitor.connectObserver().connectFailed(e);
        }
        h.run();
    }
}
