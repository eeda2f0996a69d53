package dev.halb.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.admin.BackendView;
import dev.halb.core.admin.VipView;
import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.HealthTestConfigs;
import dev.halb.core.testing.KillableEchoBackend;
import dev.halb.core.testing.ShortConnectionLoad;
import dev.halb.core.testing.TestBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backend that dies under load costs clients nothing: its failed connects are retried on the
 * others and eject it at once, its health checks keep it out while it is down, and it is back
 * once it answers again.
 *
 * <p>The backend is killed with {@link KillableEchoBackend#kill()}: its listener first (connects
 * are refused from then on), then each of its connections between two requests, so it never cuts
 * a request it has accepted, as a process that exits between requests would not.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EvictionTest {

    static final int CLIENT_THREADS = 8;
    static final String VICTIM_ZONE = "victim";

    @Test
    void killedBackendCostsClientsNothingAndReturnsWhenItComesBack() throws Exception {
        KillableEchoBackend[] backends = new KillableEchoBackend[4];
        List<BackendConfig> configs = new ArrayList<>();
        for (int i = 0; i < backends.length; i++) {
            backends[i] = KillableEchoBackend.start();
            configs.add(HealthTestConfigs.backend(backends[i].port(), i == 0 ? VICTIM_ZONE : "other"));
        }
        KillableEchoBackend victim = backends[0];
        int victimPort = victim.port();
        TestBackend back = null;
        VipConfig vip = HealthTestConfigs.vip("web", configs, HealthTestConfigs.tcpCheck(200, 100, 2, 2),
                new OutlierDetectionConfig(1, 1000, 50), 2);
        try (Replica replica = Replica.start(HealthTestConfigs.replica(vip), Replica.Options.defaults())) {
            for (BackendConfig b : configs) {
                awaitState(replica, b.port(), "healthy");
            }
            try (ShortConnectionLoad load = ShortConnectionLoad.start(replica.vipAddress("web"),
                    ShortConnectionLoad.echo(), CLIENT_THREADS, 25_000)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> everyBackendServed(backends)
                        && load.succeeded() > 500);

                long killedAt = System.nanoTime();
                victim.kill();
                awaitState(replica, victimPort, "ejected");
                long evictedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                await().atMost(Duration.ofSeconds(5)).until(() -> victim.openConnections() == 0);

                // let connects picked before the ejection was published finish, then watch a window
                afterMoreConnections(load, 1_000);
                double failuresAfterEviction = connectFailures(replica, "127.0.0.1:" + victimPort);
                long failedAfterEviction = load.failed();
                afterMoreConnections(load, 3_000);
                assertThat(connectFailures(replica, "127.0.0.1:" + victimPort))
                        .as("connects to the dead backend after its ejection").isEqualTo(failuresAfterEviction);
                // kept out by its failing health checks once its ejection (1 s) is over
                awaitState(replica, victimPort, "unhealthy");
                assertThat(load.failed()).as("failed client connections after the instant of death: %s",
                        load.failures()).isEqualTo(failedAfterEviction);

                long cutByDeath = (long) zoneConnections(replica, VICTIM_ZONE) - victim.answered();
                // Only connections the kernel completed as the listener closed (and then reset) may
                // fail: no proxy can save a request its backend took and dropped.
                assertThat(load.failed()).as("failed client connections (%d dropped by the dying backend): %s",
                        cutByDeath, load.failures()).isLessThanOrEqualTo(Math.max(0, cutByDeath));
                System.out.printf("killed backend evicted after %d ms; %d client connections, %d failed, "
                                + "%d dropped by the dying backend itself%n",
                        evictedMs, load.succeeded() + load.failed(), load.failed(), cutByDeath);

                back = TestBackend.echoOn(victimPort);
                TestBackend revived = back;
                await().atMost(Duration.ofSeconds(20)).until(() -> revived.bytesRead() > 0);
                assertThat(state(replica, victimPort)).isEqualTo("healthy");
                long before = revived.bytesRead();
                long failedBefore = load.failed();
                afterMoreConnections(load, 1_000);
                assertThat(revived.bytesRead()).as("traffic reaches it again").isGreaterThan(before);
                assertThat(load.failed()).as("failures while it came back: %s", load.failures())
                        .isEqualTo(failedBefore);
            }
            assertThat(replica.admin().metrics()).containsPattern(
                    "halb_ejections_total\\{vip=\"web\",backend=\"127\\.0\\.0\\.1:" + victimPort + "\",} [1-9]");
        } finally {
            for (KillableEchoBackend b : backends) {
                b.close();
            }
            if (back != null) {
                back.close();
            }
        }
    }

    private static boolean everyBackendServed(KillableEchoBackend[] backends) {
        for (KillableEchoBackend b : backends) {
            if (b.answered() == 0) {
                return false;
            }
        }
        return true;
    }

    /** Waits until the load has made this many more successful connections. */
    static void afterMoreConnections(ShortConnectionLoad load, long n) {
        long target = load.succeeded() + n;
        await().atMost(Duration.ofSeconds(60)).until(() -> load.succeeded() >= target);
    }

    static void awaitState(Replica replica, int port, String state) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1))
                .until(() -> state.equals(state(replica, port)));
    }

    static String state(Replica replica, int port) {
        String id = "127.0.0.1:" + port;
        for (VipView v : replica.admin().vips()) {
            for (BackendView b : v.backends()) {
                if (b.id().equals(id)) {
                    return b.state();
                }
            }
        }
        return null;
    }

    static double connectFailures(Replica replica, String backend) {
        return sample(replica, "halb_connect_failures_total\\{vip=\"web\",backend=\"" + Pattern.quote(backend) + "\",}");
    }

    static double zoneConnections(Replica replica, String zone) {
        return sample(replica, "halb_zone_connections_total\\{vip=\"web\",zone=\"" + Pattern.quote(zone) + "\",}");
    }

    private static double sample(Replica replica, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + " (\\S+)$").matcher(replica.admin().metrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
