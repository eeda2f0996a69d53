package dev.halb.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
import dev.halb.core.testing.HealthTestConfigs;
import dev.halb.core.testing.KillableEchoBackend;
import dev.halb.core.testing.ShortConnectionLoad;
import dev.halb.core.testing.TestBackend;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code /api/v1/vips} and {@code halb_backend_healthy} say once an ejection is over: the
 * backend's state now, {@code unhealthy} while its checks fail and {@code healthy} once they pass,
 * never {@code ejected} after its time is up. Short configured times, so that waits are short.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EjectionEndTest {

    private static final int BASE_EJECTION_MS = 300;

    @Test
    void aKilledBackendIsUnhealthyAfterItsEjectionAndHealthyOnceItIsBack() throws Exception {
        KillableEchoBackend[] backends = start(4);
        KillableEchoBackend victim = backends[0];
        int port = victim.port();
        TestBackend back = null;
        try (Replica replica = Replica.start(HealthTestConfigs.replica(vip(backends, BASE_EJECTION_MS)),
                Replica.Options.defaults())) {
            InetSocketAddress admin = replica.adminAddress();
            awaitAllHealthy(admin, backends);
            killUnderLoadUntilEjected(replica, victim);

            // the ejection (300 ms) is long over well within this wait; its checks keep failing
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(state(admin, port)).isEqualTo("unhealthy");
                assertThat(healthGauge(admin, port)).isZero();
            });
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(state(admin, port)).as("still dead").isEqualTo("unhealthy");
                assertThat(healthGauge(admin, port)).isZero();
            });

            back = TestBackend.echoOn(port);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(state(admin, port)).isEqualTo("healthy");
                assertThat(healthGauge(admin, port)).isEqualTo(1.0);
            });
        } finally {
            close(backends);
            if (back != null) {
                back.close();
            }
        }
    }

    @Test
    void aBackendBackDuringItsEjectionIsHealthyWhenItsTimeIsUp() throws Exception {
        KillableEchoBackend[] backends = start(4);
        KillableEchoBackend victim = backends[0];
        int port = victim.port();
        TestBackend back = null;
        try (Replica replica = Replica.start(HealthTestConfigs.replica(vip(backends, 2_000)),
                Replica.Options.defaults())) {
            InetSocketAddress admin = replica.adminAddress();
            awaitAllHealthy(admin, backends);
            killUnderLoadUntilEjected(replica, victim);
            back = TestBackend.echoOn(port);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(state(admin, port)).isEqualTo("healthy");
                assertThat(healthGauge(admin, port)).isEqualTo(1.0);
            });
        } finally {
            close(backends);
            if (back != null) {
                back.close();
            }
        }
    }

    private static VipConfig vip(KillableEchoBackend[] backends, int baseEjectionMs) {
        int[] ports = new int[backends.length];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = backends[i].port();
        }
        return HealthTestConfigs.vip("web", ports, HealthTestConfigs.tcpCheck(100, 100, 2, 2),
                new OutlierDetectionConfig(1, baseEjectionMs, 50), 2);
    }

    /** Kills {@code victim} while clients connect, and returns once a failed connect ejected it. */
    private static void killUnderLoadUntilEjected(Replica replica, KillableEchoBackend victim) throws Exception {
        String ejections = "halb_ejections_total\\{vip=\"web\",backend=\"127\\.0\\.0\\.1:" + victim.port()
                + "\",[^}]*}";
        try (ShortConnectionLoad load = ShortConnectionLoad.start(replica.vipAddress("web"),
                ShortConnectionLoad.echo(), 2, 100_000)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> victim.answered() > 0);
            victim.kill();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> AdminJson.hasMetric(replica.adminAddress(), ejections)
                            && AdminJson.metric(replica.adminAddress(), ejections) >= 1);
        }
    }

    private static void awaitAllHealthy(InetSocketAddress admin, KillableEchoBackend[] backends) {
        for (KillableEchoBackend b : backends) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "healthy".equals(state(admin, b.port())));
        }
    }

    /** The backend's {@code state} in {@code GET /api/v1/vips}. */
    private static String state(InetSocketAddress admin, int port) {
        String id = "127.0.0.1:" + port;
        JsonNode vip = AdminJson.vip(admin, "web");
        for (JsonNode b : vip.get("backends")) {
            if (id.equals(b.get("id").asText())) {
                return b.get("state").asText();
            }
        }
        return null;
    }

    private static double healthGauge(InetSocketAddress admin, int port) {
        return AdminJson.metric(admin, "halb_backend_healthy\\{vip=\"web\",backend=\"127\\.0\\.0\\.1:" + port
                + "\",[^}]*}");
    }

    private static KillableEchoBackend[] start(int n) {
        KillableEchoBackend[] backends = new KillableEchoBackend[n];
        for (int i = 0; i < n; i++) {
            backends[i] = KillableEchoBackend.start();
        }
        return backends;
    }

    private static void close(KillableEchoBackend[] backends) {
        for (KillableEchoBackend b : backends) {
            b.close();
        }
    }
}
