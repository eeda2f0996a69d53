package dev.halb.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.testing.Clients;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HalbProcess;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator reads while ZooKeeper is away, from a real {@code halb run} process logging
 * through the jar's own logging set-up: one WARN when it does not answer, a reminder with the time
 * since, one INFO when it is back; never a stack trace and never a line per reconnect attempt
 * (the ZooKeeper client tries about once a second, and used to log each try with its stack trace).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ZooKeeperOutageLogTest {

    @TempDir
    Path dir;

    @Test
    void anUnreachableZooKeeperIsOneWarningAReminderAndOneLineWhenBack() throws Exception {
        int zkPort = FreePorts.next();
        int adminPort = FreePorts.next();
        Path config = Files.writeString(dir.resolve("halb.yaml"), """
                replica: { id: outage-log }
                discovery:
                  zookeeper: { connect: "127.0.0.1:%d", connectionTimeoutMs: 1000, sessionTimeoutMs: 4000 }
                admin: { bind: 127.0.0.1:%d }
                vips:
                  - name: web
                    bind: 127.0.0.1:0
                    maxConnections: 100
                    healthCheck: { type: none }
                    backends: [ { address: 127.0.0.1, port: %d } ]
                drain: { delayMs: 0, timeoutMs: 1000 }
                """.formatted(zkPort, adminPort, FreePorts.next()));
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
        try (HalbProcess halb = HalbProcess.startWithShippedLogging(dir, List.of("-Xmx256m"),
                "run", "--config", config.toString())) {
            halb.awaitReady(admin);
            // 16 s unreachable: the client has tried some 15 times by now, the session timeout has
            // passed (Curator's "session expired" for a session that never was), the first reminder is due.
            await().atMost(Duration.ofSeconds(30)).until(() -> halb.output().contains("still unreachable after 1"));
            Thread.sleep(6_000);
            String unreachable = halb.output();
            assertThat(unreachable).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("ERROR")
                    .doesNotContain("xpired");
            assertThat(count(unreachable, "did not answer within 1000 ms")).as(unreachable).isEqualTo(1);
            assertThat(count(unreachable, "still unreachable after")).as(unreachable).isEqualTo(1);
            assertThat(unreachable.lines().count()).as(unreachable).isLessThanOrEqualTo(12);

            try (TestingServer zk = new TestingServer(zkPort, true)) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> halb.output().contains("connected to ZooKeeper at 127.0.0.1:" + zkPort));
                assertThat(halb.output()).containsPattern("connected to ZooKeeper at \\S+ \\(root /halb\\) after "
                        + "\\d+ s unreachable");
                zk.stop();
                await().atMost(Duration.ofSeconds(30)).until(() -> halb.output().contains("connection to 127.0.0.1:"
                        + zkPort + " lost"));
                Thread.sleep(3_000);
                zk.restart();
                await().atMost(Duration.ofSeconds(30)).until(() -> halb.output().contains(" back after "));
                // Stopped while ZooKeeper is up: its node is deleted, nothing more is lost.
                halb.terminate();
                assertThat(halb.waitFor(30)).as(halb.output()).isEqualTo(0);
            }
            String all = halb.output();
            assertThat(all).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("ERROR");
            assertThat(count(all, " lost: serving the last known backends")).as(all).isEqualTo(1);
            assertThat(count(all, " back after ")).as(all).isEqualTo(1);
            assertThat(all.lines().count()).as(all).isLessThanOrEqualTo(25);
        }
    }

    private static long count(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).count();
    }
}
