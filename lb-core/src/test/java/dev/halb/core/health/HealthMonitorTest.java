package dev.halb.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.HealthCheckType;
import dev.halb.core.config.OutlierDetectionConfig;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The active-check state machine and its schedule, with time moved by the test. */
class HealthMonitorTest {

    private static final int INTERVAL = 200;
    private static final int TIMEOUT = 100;
    private static final HealthCheckConfig TCP = new HealthCheckConfig(HealthCheckType.TCP, "/health", 0, INTERVAL,
            TIMEOUT, 2, 3);
    private static final OutlierDetectionConfig NO_OUTLIERS = new OutlierDetectionConfig(0, 1000, 50);

    @Test
    void newBackendIsCheckedAtOnceAndIsACandidateFromItsFirstPass() {
        try (MonitorHarness h = new MonitorHarness(TCP, NO_OUTLIERS)) {
            h.monitor.update(MonitorHarness.endpoints(9001, 9002));
            h.run();
            assertThat(h.status(9001)).isEqualTo(HealthStatus.UNHEALTHY);
            assertThat(h.candidate(9001)).isFalse();
            assertThat(h.monitor.checked("127.0.0.1:9001")).isFalse();

            h.advance(HealthMonitor.FIRST_CHECK_SPREAD_MS);
            assertThat(h.pendingFor(9001)).isEqualTo(1);
            assertThat(h.pendingFor(9002)).isEqualTo(1);
            assertThat(h.pending.peek().host()).startsWith("127.0.0.1:900");

            h.answerAll(true);
            assertThat(h.candidate(9001)).isTrue();
            assertThat(h.candidate(9002)).isTrue();
            assertThat(h.status(9001)).isEqualTo(HealthStatus.HEALTHY);
            assertThat(h.changes).as("one publication for both backends").isEqualTo(1);
        }
    }

    @Test
    void healthyBecomesUnhealthyAfterUnhealthyThresholdFailuresInARow() {
        try (MonitorHarness h = new MonitorHarness(TCP, NO_OUTLIERS)) {
            h.monitor.update(MonitorHarness.endpoints(9001));
            h.advance(HealthMonitor.FIRST_CHECK_SPREAD_MS);
            h.answerAll(true);

            nextCheck(h);
            h.answerAll(false);
            assertThat(h.candidate(9001)).as("one failure is not enough").isTrue();
            nextCheck(h);
            h.answerAll(true);
            nextCheck(h);
            h.answerAll(false);
            assertThat(h.candidate(9001)).as("a pass in between starts the count again").isTrue();
            nextCheck(h);
            h.answerAll(false);
            assertThat(h.candidate(9001)).isFalse();
            assertThat(h.status(9001)).isEqualTo(HealthStatus.UNHEALTHY);
        }
    }

    @Test
    void unhealthyNeedsHealthyThresholdPassesInARowToReturn() {
        try (MonitorHarness h = new MonitorHarness(TCP, NO_OUTLIERS)) {
            h.monitor.update(MonitorHarness.endpoints(9001));
            h.advance(HealthMonitor.FIRST_CHECK_SPREAD_MS);
            h.answerAll(false);
            assertThat(h.monitor.checked("127.0.0.1:9001")).isTrue();
            assertThat(h.candidate(9001)).as("a first failure leaves it out").isFalse();
            for (int i = 1; i < TCP.healthyThreshold(); i++) {
                nextCheck(h);
                h.answerAll(true);
                assertThat(h.candidate(9001)).as("after %s passes", i).isFalse();
            }
            nextCheck(h);
            h.answerAll(false);
            for (int i = 0; i < TCP.healthyThreshold() - 1; i++) {
                nextCheck(h);
                h.answerAll(true);
            }
            assertThat(h.candidate(9001)).as("a failure started the count again").isFalse();
            nextCheck(h);
            h.answerAll(true);
            assertThat(h.candidate(9001)).isTrue();
        }
    }

    /**
     * Wherever in its schedule a backend starts failing, it is out within
     * intervalMs * unhealthyThreshold + timeoutMs: jitter only ever shortens the gap.
     */
    @Test
    void failingBackendIsOutWithinIntervalTimesThresholdPlusTimeout() {
        for (int run = 0; run < 20; run++) {
            try (MonitorHarness h = new MonitorHarness(TCP, NO_OUTLIERS)) {
                h.monitor.update(MonitorHarness.endpoints(9001));
                h.advance(HealthMonitor.FIRST_CHECK_SPREAD_MS);
                h.answerAll(true);
                // healthy for a while, answering every check at once
                int healthyFor = 500 + ThreadLocalRandom.current().nextInt(1000);
                for (int t = 0; t < healthyFor; t++) {
                    h.advance(1);
                    h.answerAll(true);
                }
                // from now on it fails, each check taking the whole timeout
                long elapsed = 0;
                while (h.candidate(9001)) {
                    h.advance(1);
                    elapsed++;
                    if (!h.pending.isEmpty()) {
                        h.advance(TIMEOUT);
                        elapsed += TIMEOUT;
                        h.answerAll(false);
                    }
                    assertThat(elapsed).isLessThanOrEqualTo((long) INTERVAL * TCP.unhealthyThreshold() + TIMEOUT);
                }
            }
        }
    }

    @Test
    void checksAreSpreadButNeverFurtherApartThanTheInterval() {
        try (MonitorHarness h = new MonitorHarness(TCP, NO_OUTLIERS)) {
            h.monitor.update(MonitorHarness.endpoints(9001));
            h.run();
            assertThat(nextCheck(h)).as("the first check, at once").isLessThanOrEqualTo(HealthMonitor.FIRST_CHECK_SPREAD_MS);
            h.answerAll(true);
            long[] gaps = new long[30];
            for (int i = 0; i < gaps.length; i++) {
                gaps[i] = nextCheck(h);
                h.answerAll(true);
            }
            assertThat(gaps[0]).isBetween((long) INTERVAL / 2, (long) INTERVAL);
            for (int i = 1; i < gaps.length; i++) {
                assertThat(gaps[i]).isBetween((long) (INTERVAL * (1 - HealthMonitor.INTERVAL_JITTER)), (long) INTERVAL);
            }
            assertThat(gaps).as("jittered, not all alike").matches(g -> java.util.Arrays.stream(g).distinct().count() > 3);
        }
    }

    /** Hundreds of backends that appear together are not probed in one burst, then or later. */
    @Test
    void hundredsOfBackendsAreNotProbedInOneBurst() {
        int n = 300;
        int[] ports = new int[n];
        for (int i = 0; i < n; i++) {
            ports[i] = 10_000 + i;
        }
        try (MonitorHarness h = new MonitorHarness(TCP, NO_OUTLIERS)) {
            h.monitor.update(MonitorHarness.endpoints(ports));
            h.run();
            int[] perMs = new int[5 * INTERVAL];
            for (int t = 0; t < perMs.length; t++) {
                h.advance(1);
                perMs[t] = h.pending.size();
                h.answerAll(true);
            }
            long spread = Math.min(HealthMonitor.FIRST_CHECK_SPREAD_MS, INTERVAL / 10);
            int first = java.util.Arrays.stream(perMs, 0, (int) spread).sum();
            assertThat(first).as("every first check within %s ms", spread).isEqualTo(n);
            assertThat(java.util.Arrays.stream(perMs, 0, (int) spread).max().getAsInt())
                    .as("first checks in the busiest millisecond").isLessThan(n / 5);
            assertThat(java.util.Arrays.stream(perMs, INTERVAL, perMs.length).max().getAsInt())
                    .as("later checks in the busiest millisecond").isLessThan(n / 15);
            assertThat(java.util.Arrays.stream(perMs).sum()).as("each backend checked about once per interval")
                    .isBetween(5 * n, 6 * n + n);
        }
    }

    @Test
    void typeNoneMakesEveryBackendHealthyAtOnceAndChecksNothing() {
        HealthCheckConfig none = new HealthCheckConfig(HealthCheckType.NONE, "/health", 0, INTERVAL, TIMEOUT, 2, 2);
        try (MonitorHarness h = new MonitorHarness(none, NO_OUTLIERS)) {
            h.monitor.update(MonitorHarness.endpoints(9001));
            assertThat(h.candidate(9001)).isTrue();
            assertThat(h.monitor.checked("127.0.0.1:9001")).isTrue();
            assertThat(h.monitor.firstCheckBudgetMs()).isZero();
            h.advance(5 * INTERVAL);
            assertThat(h.pending).isEmpty();
        }
    }

    @Test
    void removedBackendIsNoLongerCheckedAndAKeptOneKeepsItsState() {
        try (MonitorHarness h = new MonitorHarness(TCP, NO_OUTLIERS)) {
            h.monitor.update(MonitorHarness.endpoints(9001, 9002));
            h.advance(HealthMonitor.FIRST_CHECK_SPREAD_MS);
            h.answerAll(true);
            h.monitor.update(MonitorHarness.endpoints(9002));
            h.run();
            assertThat(h.candidate(9001)).isFalse();
            assertThat(h.candidate(9002)).as("kept, still healthy").isTrue();
            h.advance(3 * INTERVAL);
            assertThat(h.pendingFor(9001)).isZero();
            assertThat(h.pendingFor(9002)).isEqualTo(1);
            // a late answer for a removed backend changes nothing
            h.monitor.update(List.of());
            h.answerAll(false);
            assertThat(h.status(9002)).isEqualTo(HealthStatus.UNHEALTHY);
        }
    }

    @Test
    void checksGoToTheHealthCheckPortWhenOneIsSet() {
        HealthCheckConfig http = new HealthCheckConfig(HealthCheckType.HTTP, "/ready", 8081, INTERVAL, TIMEOUT, 2, 2);
        try (MonitorHarness h = new MonitorHarness(http, NO_OUTLIERS)) {
            h.monitor.update(MonitorHarness.endpoints(9001));
            h.advance(HealthMonitor.FIRST_CHECK_SPREAD_MS);
            assertThat(h.pending).singleElement().satisfies(p -> {
                assertThat(p.target().getPort()).isEqualTo(8081);
                assertThat(p.host()).isEqualTo("127.0.0.1:8081");
            });
        }
    }

    /** Moves time to the next check and returns how long that took. */
    private static long nextCheck(MonitorHarness h) {
        long waited = 0;
        while (h.pending.isEmpty()) {
            h.advance(1);
            waited++;
            assertThat(waited).as("the next check is due within the interval").isLessThanOrEqualTo(INTERVAL);
        }
        return waited;
    }
}
