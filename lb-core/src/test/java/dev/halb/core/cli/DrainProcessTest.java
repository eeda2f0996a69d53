package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.testing.Clients;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HalbProcess;
import dev.halb.core.testing.TestBackend;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a real {@code halb run} process: {@code /health} turns 503 at once while an open
 * connection keeps flowing, new clients are refused after {@code drain.delayMs}, and the process
 * exits 0 once the last connection closes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DrainProcessTest {

    @TempDir
    Path dir;

    @Test
    void sigtermDrainsThenExitsZero() throws Exception {
        int vipPort = FreePorts.next();
        int adminPort = FreePorts.next();
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
        InetSocketAddress vip = new InetSocketAddress("127.0.0.1", vipPort);
        try (TestBackend echo = TestBackend.echo()) {
            Path config = Files.writeString(dir.resolve("halb.yaml"), """
                    replica: { id: drain-test }
                    admin: { bind: 127.0.0.1:%d }
                    vips:
                      - name: web
                        bind: 127.0.0.1:%d
                        healthCheck: { type: none }
                        backends:
                          - { address: 127.0.0.1, port: %d }
                    drain: { delayMs: 1500, timeoutMs: 30000 }
                    """.formatted(adminPort, vipPort, echo.port()));
            try (HalbProcess halb = HalbProcess.start(dir, "run", "--config", config.toString())) {
                halb.awaitReady(admin);
                try (Socket client = Clients.connect(vip)) {
                    Clients.assertEchoes(client, 'a');
                    halb.terminate();
                    await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                            .until(() -> Clients.get(admin, "/health").statusCode() == 503);
                    Clients.assertEchoes(client, 'b');
                    // After drain.delayMs the listener is closed: new clients are refused.
                    await().atMost(Duration.ofSeconds(20)).until(() -> Clients.refused(vip));
                    Clients.assertEchoes(client, 'c');
                    assertThat(halb.isAlive()).as("waits for the open connection").isTrue();
                }
                assertThat(halb.waitFor(30)).as(halb.output()).isEqualTo(0);
                assertThat(halb.output()).doesNotContain("Exception");
            }
        }
    }

    @Test
    void secondSigtermExitsAtOnce() throws Exception {
        int vipPort = FreePorts.next();
        int adminPort = FreePorts.next();
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
        try (TestBackend echo = TestBackend.echo()) {
            Path config = Files.writeString(dir.resolve("halb.yaml"), """
                    admin: { bind: 127.0.0.1:%d }
                    vips:
                      - name: web
                        bind: 127.0.0.1:%d
                        healthCheck: { type: none }
                        backends: [ { address: 127.0.0.1, port: %d } ]
                    drain: { delayMs: 60000, timeoutMs: 60000 }
                    """.formatted(adminPort, vipPort, echo.port()));
            try (HalbProcess halb = HalbProcess.start(dir, "run", "--config", config.toString())) {
                halb.awaitReady(admin);
                halb.terminate();
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> Clients.get(admin, "/health").statusCode() == 503);
                halb.terminate();
                assertThat(halb.waitFor(15)).as(halb.output()).isEqualTo(0);
            }
        }
    }
}
