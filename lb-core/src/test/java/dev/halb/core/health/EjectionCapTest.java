package dev.halb.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.admin.BackendView;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HealthTestConfigs;
import dev.halb.core.testing.KillableEchoBackend;
import dev.halb.core.testing.ShortConnectionLoad;
import dev.halb.core.testing.TestBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When most backends fail, outlier ejection never takes more than maxEjectionPercent of them
 * out, counts each refusal, and clients are still served by retries; active health checks, which
 * the cap does not limit, take the rest out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EjectionCapTest {

    private static final int MAX_EJECTION_PERCENT = 50;

    /** Three of four backends dead from the start, no active checks: ejection alone decides. */
    @Test
    void neverMoreThanMaxEjectionPercentEjected() throws Exception {
        try (TestBackend live = TestBackend.echo()) {
            int[] ports = {live.port(), FreePorts.next(), FreePorts.next(), FreePorts.next()};
            VipConfig vip = HealthTestConfigs.vip("web", ports, HealthTestConfigs.noCheck(),
                    new OutlierDetectionConfig(1, 60_000, MAX_EJECTION_PERCENT), 3);
            try (Replica replica = Replica.start(HealthTestConfigs.replica(vip), Replica.Options.defaults())) {
                serve(replica, 400);
                assertThat(states(replica)).containsExactlyInAnyOrder("healthy", "ejected", "ejected", "healthy");
                assertCounts(replica);
            }
        }
    }

    /**
     * Three of four backends die while they were healthy: two are ejected, the cap keeps the third
     * in rotation (its failed connects are retried elsewhere) until its active checks, which the
     * cap does not limit, take it out too.
     */
    @Test
    void healthChecksTakeOutWhatTheCapLeftIn() throws Exception {
        KillableEchoBackend[] backends = new KillableEchoBackend[4];
        int[] ports = new int[4];
        for (int i = 0; i < 4; i++) {
            backends[i] = KillableEchoBackend.start();
            ports[i] = backends[i].port();
        }
        VipConfig vip = HealthTestConfigs.vip("web", ports, HealthTestConfigs.tcpCheck(300, 100, 3, 2),
                new OutlierDetectionConfig(1, 60_000, MAX_EJECTION_PERCENT), 3);
        try (Replica replica = Replica.start(HealthTestConfigs.replica(vip), Replica.Options.defaults())) {
            for (int port : ports) {
                EvictionTest.awaitState(replica, port, "healthy");
            }
            serve(replica, 40);
            // between two bursts of traffic, so that no request is under way when they die
            for (int i = 1; i < 4; i++) {
                backends[i].kill();
            }
            serve(replica, 400);
            assertThat(states(replica).stream().filter("ejected"::equals)).as("right after the failures").hasSize(2);
            assertCounts(replica);
            await().atMost(Duration.ofSeconds(10)).until(() -> states(replica).contains("unhealthy"));
            assertThat(states(replica)).containsExactlyInAnyOrder("healthy", "ejected", "ejected", "unhealthy");
            serve(replica, 40);
        } finally {
            for (KillableEchoBackend b : backends) {
                b.close();
            }
        }
    }

    /** {@code n} short connections from 4 threads; every one must succeed. */
    private static void serve(Replica replica, int n) throws Exception {
        try (ShortConnectionLoad load = ShortConnectionLoad.start(replica.vipAddress("web"),
                ShortConnectionLoad.echo(), 4, n / 4)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> load.succeeded() + load.failed() == n);
            assertThat(load.failures()).as("failed client connections (halb counted: %s)", outcomes(replica))
                    .isEmpty();
        }
    }

    private static void assertCounts(Replica replica) {
        String metrics = replica.admin().metrics();
        assertThat(sum(metrics, "halb_ejections_total\\{vip=\"web\",[^}]*}")).as("ejections").isEqualTo(2);
        assertThat(sum(metrics, "halb_ejections_capped_total\\{vip=\"web\",}")).as("ejections refused by the cap")
                .isPositive();
    }

    /** halb's own account of clients it closed, and the backends' states, to explain a failure. */
    private static String outcomes(Replica replica) {
        return replica.admin().metrics().lines()
                .filter(l -> l.startsWith("halb_rejected_total") || l.startsWith("halb_no_backend_total")
                        || l.startsWith("halb_connect_failures_total"))
                .toList() + " states " + states(replica);
    }

    private static List<String> states(Replica replica) {
        return replica.admin().vips().get(0).backends().stream().map(BackendView::state).toList();
    }

    private static double sum(String metrics, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + " (\\S+)$").matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }
}
