package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.testing.Clients;
import dev.halb.core.testing.EchoClient;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HalbProcess;
import dev.halb.core.testing.TestBackend;
import java.io.IOException;
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
 * SIGHUP on a real {@code halb run} process, through a sequence of edits of its file while one
 * client connection stays open through a VIP that stays: VIPs are added, changed, moved and
 * removed; an invalid edit changes nothing and is counted; a key that needs a restart is named.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ReloadProcessTest {

    @TempDir
    Path dir;

    @Test
    void sighupAppliesEditsAndRefusesAnInvalidOne() throws Exception {
        int adminPort = FreePorts.next();
        int keepPort = FreePorts.next();
        int gonePort = FreePorts.next();
        int moveFrom = FreePorts.next();
        int moveTo = FreePorts.next();
        int addedPort = FreePorts.next();
        InetSocketAddress admin = local(adminPort);
        try (TestBackend a = TestBackend.echo(); TestBackend b = TestBackend.echo()) {
            Path config = dir.resolve("halb.yaml");
            Files.writeString(config, """
                    replica: { id: reload-test, zone: z1 }
                    admin: { bind: 127.0.0.1:%d }
                    vips:
                      - name: keep
                        bind: 127.0.0.1:%d
                        healthCheck: { type: none }
                        backends: [ { address: 127.0.0.1, port: %d } ]
                      - name: gone
                        bind: 127.0.0.1:%d
                        healthCheck: { type: none }
                        backends: [ { address: 127.0.0.1, port: %d } ]
                      - name: mover
                        bind: 127.0.0.1:%d
                        healthCheck: { type: none }
                        backends: [ { address: 127.0.0.1, port: %d } ]
                    drain: { delayMs: 0, timeoutMs: 2000 }
                    """.formatted(adminPort, keepPort, a.port(), gonePort, a.port(), moveFrom, a.port()));
            try (HalbProcess halb = HalbProcess.start(dir, "run", "--config", config.toString())) {
                halb.awaitReady(admin);
                assertThat(metric(admin, "ok")).isEqualTo("0.0");
                try (Socket open = Clients.connect(local(keepPort))) {
                    Clients.assertEchoes(open, 'a');

                    // keep: a second backend and another connect timeout; gone: removed; mover: new
                    // address; added: new. The zone needs a restart.
                    Files.writeString(config, """
                            replica: { id: reload-test, zone: z2 }
                            admin: { bind: 127.0.0.1:%d }
                            vips:
                              - name: keep
                                bind: 127.0.0.1:%d
                                connectTimeoutMs: 1500
                                healthCheck: { type: none }
                                backends:
                                  - { address: 127.0.0.1, port: %d }
                                  - { address: 127.0.0.1, port: %d }
                              - name: mover
                                bind: 127.0.0.1:%d
                                healthCheck: { type: none }
                                backends: [ { address: 127.0.0.1, port: %d } ]
                              - name: added
                                bind: 127.0.0.1:%d
                                healthCheck: { type: none }
                                backends: [ { address: 127.0.0.1, port: %d } ]
                            drain: { delayMs: 0, timeoutMs: 2000 }
                            """.formatted(adminPort, keepPort, a.port(), b.port(), moveTo, a.port(), addedPort,
                            b.port()));
                    hangUp(halb);
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> metric(admin, "ok").equals("1.0"));
                    String status = Clients.get(admin, "/api/v1/status").body();
                    assertThat(status).contains("\"result\":\"ok\"").contains("replica.zone")
                            .contains("added [added]").contains("changed [keep]").contains("moved [mover]")
                            .contains("removed [gone]");
                    assertThat(halb.output()).contains("take effect only on restart");

                    EchoClient.once(local(addedPort));
                    EchoClient.once(local(moveTo));
                    await().atMost(Duration.ofSeconds(10)).until(() -> Clients.refused(local(moveFrom)));
                    await().atMost(Duration.ofSeconds(10)).until(() -> Clients.refused(local(gonePort)));
                    String vips = Clients.get(admin, "/api/v1/vips").body();
                    assertThat(vips).contains("\"name\":\"added\"").doesNotContain("\"name\":\"gone\"")
                            .contains("127.0.0.1:" + b.port());
                    Clients.assertEchoes(open, 'b');

                    // An invalid edit: nothing changes, the error names the key.
                    String valid = Files.readString(config);
                    Files.writeString(config, valid.replace("connectTimeoutMs: 1500", "connectTimeoutMs: -5"));
                    hangUp(halb);
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> metric(admin, "failed").equals("1.0"));
                    status = Clients.get(admin, "/api/v1/status").body();
                    assertThat(status).contains("\"result\":\"failed\"").contains("invalid file, nothing changed").contains("vips[0].connectTimeoutMs");
                    EchoClient.once(local(addedPort));
                    EchoClient.once(local(moveTo));
                    EchoClient.once(local(keepPort));
                    Clients.assertEchoes(open, 'c');
                    assertThat(metric(admin, "ok")).isEqualTo("1.0");
                    assertThat(Clients.get(admin, "/ready").statusCode()).isEqualTo(200);
                }
                assertThat(halb.output()).doesNotContain("Exception");
            }
        }
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static void hangUp(HalbProcess halb) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(halb.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static String metric(InetSocketAddress admin, String result) {
        String prefix = "halb_config_reloads_total{result=\"" + result + "\",} ";
        return Clients.get(admin, "/metrics").body().lines().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length())).findFirst().orElse("absent");
    }
}
