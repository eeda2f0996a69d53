package dev.halb.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.HealthCheckedBackend;
import dev.halb.core.testing.HealthTestConfigs;
import dev.halb.core.testing.ShortConnectionLoad;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A backend that still accepts connections but whose HTTP health path answers 500, or nothing,
 * is out within intervalMs * unhealthyThreshold + timeoutMs (plus a margin for a busy machine),
 * and gets no new connection afterwards; clients notice nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthPathTest {

    private static final int INTERVAL_MS = 200;
    private static final int TIMEOUT_MS = 100;
    private static final int UNHEALTHY_THRESHOLD = 2;
    private static final long MARGIN_MS = 500;

    @ParameterizedTest(name = "health path {0}")
    @ValueSource(strings = {"answers 500", "never answers"})
    void failingHealthPathTakesTheBackendOutInTime(String failure) throws Exception {
        HealthCheckedBackend[] backends = new HealthCheckedBackend[4];
        int[] ports = new int[4];
        for (int i = 0; i < backends.length; i++) {
            backends[i] = HealthCheckedBackend.start("b" + i, "/health");
            ports[i] = backends[i].port();
        }
        HealthCheckConfig check = HealthTestConfigs.httpCheck("/health", INTERVAL_MS, TIMEOUT_MS,
                UNHEALTHY_THRESHOLD, 2);
        VipConfig vip = HealthTestConfigs.vip("web", ports, check, new OutlierDetectionConfig(2, 1000, 50), 2);
        HealthCheckedBackend sick = backends[0];
        try (Replica replica = Replica.start(HealthTestConfigs.replica(vip), Replica.Options.defaults())) {
            for (int port : ports) {
                EvictionTest.awaitState(replica, port, "healthy");
            }
            long elapsedMs;
            try (ShortConnectionLoad load = ShortConnectionLoad.start(replica.vipAddress("web"),
                    ShortConnectionLoad.httpGet("/"), 4, 20_000)) {
                EvictionTest.afterMoreConnections(load, 200);
                assertThat(sick.trafficRequests()).as("served before").isPositive();

                long start = System.nanoTime();
                if (failure.equals("answers 500")) {
                    sick.setHealthStatus(500);
                } else {
                    sick.hangHealth();
                }
                EvictionTest.awaitState(replica, ports[0], "unhealthy");
                elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                EvictionTest.afterMoreConnections(load, 200);
                load.close();
                assertThat(load.failures()).as("failed client connections").isEmpty();
            }
            System.out.printf("health path %s: unhealthy after %d ms%n", failure, elapsedMs);
            assertThat(elapsedMs).isLessThanOrEqualTo((long) INTERVAL_MS * UNHEALTHY_THRESHOLD + TIMEOUT_MS + MARGIN_MS);

            // every connection made before is finished: from now on none may reach it
            int servedBySick = sick.trafficRequests();
            int servedByOthers = backends[1].trafficRequests() + backends[2].trafficRequests()
                    + backends[3].trafficRequests();
            try (ShortConnectionLoad after = ShortConnectionLoad.start(replica.vipAddress("web"),
                    ShortConnectionLoad.httpGet("/"), 4, 50)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> after.succeeded() + after.failed() == 200);
                assertThat(after.failures()).isEmpty();
            }
            assertThat(sick.trafficRequests()).as("new connections to the unhealthy backend").isEqualTo(servedBySick);
            assertThat(backends[1].trafficRequests() + backends[2].trafficRequests() + backends[3].trafficRequests())
                    .isEqualTo(servedByOthers + 200);
            assertThat(replica.admin().metrics())
                    .contains("halb_backend_healthy{vip=\"web\",backend=\"127.0.0.1:" + ports[0] + "\",zone=\"\",} 0.0")
                    .contains("halb_backend_healthy{vip=\"web\",backend=\"127.0.0.1:" + ports[1] + "\",zone=\"\",} 1.0");

            // and it comes back once its health path passes again
            sick.setHealthStatus(200);
            EvictionTest.awaitState(replica, ports[0], "healthy");
        } finally {
            for (HealthCheckedBackend b : backends) {
                b.close();
            }
        }
    }
}
