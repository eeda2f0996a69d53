package dev.halb.core.health;

import static org.awaitility.Awaitility.await;

import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.HealthCheckedBackend;
import dev.halb.core.testing.HealthTestConfigs;
import dev.halb.core.testing.KillableEchoBackend;
import dev.halb.core.testing.ShortConnectionLoad;
import dev.halb.core.testing.TestBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures eviction times, run by hand (it is skipped otherwise):
 * <pre>
 * mvn -B -q -o -pl lb-discovery,lb-core -am -Dhalb.measure=true -Dhalb.measure.runs=9 \
 *     -Dtest='dev.halb.core.health.EvictionMeasurementTest' -Dsurefire.failIfNoSpecifiedTests=false test
 * </pre>
 * which prints one line per scenario (median, min, max and every run; client connections made and failed).
 * Each run starts four backends and a replica (tcp or http checks every 200 ms, timeout 100 ms,
 * thresholds 2/2; ejection after 1 failed connect, 1 s; 2 connect retries), puts 8 client threads
 * of short connections on it, breaks one backend and times how long until the replica no longer
 * counts it as healthy, polling every millisecond.
 */
@EnabledIfSystemProperty(named = "halb.measure", matches = "true")
class EvictionMeasurementTest {

    private static final int RUNS = Integer.getInteger("halb.measure.runs", 7);

    @Test
    void killedBackend() throws Exception {
        killed(true);
    }

    /** The same with {@link TestBackend#close()}, which also cuts requests under way. */
    @Test
    void killedBackendCuttingRequests() throws Exception {
        killed(false);
    }

    private void killed(boolean betweenRequests) throws Exception {
        List<Long> times = new ArrayList<>();
        long connections = 0;
        long failed = 0;
        long cut = 0;
        for (int run = 0; run < RUNS; run++) {
            KillableEchoBackend[] backends = new KillableEchoBackend[4];
            TestBackend cutting = betweenRequests ? null : TestBackend.echo();
            List<BackendConfig> configs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                backends[i] = KillableEchoBackend.start();
                int port = i == 0 && cutting != null ? cutting.port() : backends[i].port();
                configs.add(HealthTestConfigs.backend(port, i == 0 ? EvictionTest.VICTIM_ZONE : "other"));
            }
            int victimPort = configs.get(0).port();
            VipConfig vip = HealthTestConfigs.vip("web", configs, HealthTestConfigs.tcpCheck(200, 100, 2, 2),
                    new OutlierDetectionConfig(1, 1000, 50), 2);
            try (Replica replica = started(vip, configs.stream().mapToInt(BackendConfig::port).toArray());
                 ShortConnectionLoad load = ShortConnectionLoad.start(replica.vipAddress("web"),
                         ShortConnectionLoad.echo(), EvictionTest.CLIENT_THREADS, 100_000)) {
                EvictionTest.afterMoreConnections(load, 500);
                long start = System.nanoTime();
                if (cutting != null) {
                    cutting.close();
                    cutting = null;
                } else {
                    backends[0].kill();
                }
                await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> !"healthy".equals(EvictionTest.state(replica, victimPort)));
                times.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
                EvictionTest.afterMoreConnections(load, 1_000);
                load.close();
                connections += load.succeeded() + load.failed();
                failed += load.failed();
                if (betweenRequests) {
                    await().atMost(Duration.ofSeconds(5)).until(() -> backends[0].openConnections() == 0);
                    cut += (long) EvictionTest.zoneConnections(replica, EvictionTest.VICTIM_ZONE) - backends[0].answered();
                }
                load.failures().forEach(f -> System.out.println("  failure: " + f));
            } finally {
                for (KillableEchoBackend b : backends) {
                    b.close();
                }
                if (cutting != null) {
                    cutting.close();
                }
            }
        }
        report(betweenRequests ? "killed backend (listener, then its connections between requests)"
                : "killed backend (listener and connections, requests under way cut)", times, connections, failed);
        if (betweenRequests) {
            System.out.printf("  of the failed client connections, %d were connections the dying backend itself "
                    + "reset (handshake under way when its listener closed)%n", cut);
        }
    }

    @Test
    void healthPathAnswers500() throws Exception {
        healthPathFails(false);
    }

    @Test
    void healthPathHangs() throws Exception {
        healthPathFails(true);
    }

    private void healthPathFails(boolean hang) throws Exception {
        List<Long> times = new ArrayList<>();
        long connections = 0;
        long failed = 0;
        for (int run = 0; run < RUNS; run++) {
            HealthCheckedBackend[] backends = new HealthCheckedBackend[4];
            int[] ports = new int[4];
            for (int i = 0; i < 4; i++) {
                backends[i] = HealthCheckedBackend.start("b" + i, "/health");
                ports[i] = backends[i].port();
            }
            VipConfig vip = HealthTestConfigs.vip("web", ports, HealthTestConfigs.httpCheck("/health", 200, 100, 2, 2),
                    new OutlierDetectionConfig(1, 1000, 50), 2);
            try (Replica replica = started(vip, ports);
                 ShortConnectionLoad load = ShortConnectionLoad.start(replica.vipAddress("web"),
                         ShortConnectionLoad.httpGet("/"), EvictionTest.CLIENT_THREADS, 100_000)) {
                EvictionTest.afterMoreConnections(load, 500);
                long start = System.nanoTime();
                if (hang) {
                    backends[0].hangHealth();
                } else {
                    backends[0].setHealthStatus(500);
                }
                await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> !"healthy".equals(EvictionTest.state(replica, ports[0])));
                times.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
                EvictionTest.afterMoreConnections(load, 500);
                load.close();
                connections += load.succeeded() + load.failed();
                failed += load.failed();
                load.failures().forEach(f -> System.out.println("  failure: " + f));
            } finally {
                for (HealthCheckedBackend b : backends) {
                    b.close();
                }
            }
        }
        report("health path " + (hang ? "never answers" : "answers 500"), times, connections, failed);
    }

    /** A replica over {@code vip} whose backends on {@code ports} are all healthy. */
    private static Replica started(VipConfig vip, int[] ports) throws Exception {
        Replica replica = Replica.start(HealthTestConfigs.replica(vip), Replica.Options.defaults());
        for (int port : ports) {
            EvictionTest.awaitState(replica, port, "healthy");
        }
        return replica;
    }

    private static void report(String what, List<Long> micros, long connections, long failed) {
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("%s: %d runs, eviction median %.1f ms (min %.1f, max %.1f; all %s ms); "
                        + "%d client connections, %d failed%n",
                what, sorted.length, sorted[sorted.length / 2] / 1000.0, sorted[0] / 1000.0,
                sorted[sorted.length - 1] / 1000.0,
                Arrays.toString(Arrays.stream(sorted).mapToObj(m -> String.format("%.1f", m / 1000.0)).toArray()),
                connections, failed);
    }
}
