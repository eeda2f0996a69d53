package dev.halb.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.admin.BackendView;
import dev.halb.core.admin.VipView;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.HealthTestConfigs;
import dev.halb.core.testing.TestConfigs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hundreds of backends over several VIPs are checked by one health thread, not one thread each. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManyBackendsTest {

    private static final int PER_VIP = 100;

    @Test
    void everyBackendOfEveryVipIsCheckedByOneThread() throws Exception {
        // Listening sockets nobody accepts on: the kernel completes the checks' handshakes, so
        // each is a healthy tcp backend that costs the test no thread either.
        List<ServerSocketChannel> listeners = new ArrayList<>();
        try {
            int[][] ports = new int[2][PER_VIP];
            for (int v = 0; v < 2; v++) {
                for (int i = 0; i < PER_VIP; i++) {
                    ServerSocketChannel s = ServerSocketChannel.open();
                    s.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
                    listeners.add(s);
                    ports[v][i] = ((InetSocketAddress) s.getLocalAddress()).getPort();
                }
            }
            VipConfig web = HealthTestConfigs.vip("web", ports[0], HealthTestConfigs.tcpCheck(200, 100, 2, 2),
                    OutlierDetectionConfig.DEFAULT, 2);
            VipConfig api = HealthTestConfigs.vip("api", ports[1], HealthTestConfigs.tcpCheck(300, 100, 2, 2),
                    OutlierDetectionConfig.DEFAULT, 2);
            HalbConfig two = TestConfigs.replica(web, api);
            try (Replica replica = Replica.start(two, Replica.Options.defaults())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> healthy(replica) == 2 * PER_VIP);
                long healthThreads = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.isAlive() && t.getName().startsWith("halb-health"))
                        .count();
                assertThat(healthThreads).isEqualTo(1);
            }
        } finally {
            for (ServerSocketChannel s : listeners) {
                close(s);
            }
        }
    }

    private static int healthy(Replica replica) {
        int n = 0;
        for (VipView v : replica.admin().vips()) {
            for (BackendView b : v.backends()) {
                if (b.state().equals("healthy")) {
                    n++;
                }
            }
        }
        return n;
    }

    private static void close(ServerSocketChannel s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
