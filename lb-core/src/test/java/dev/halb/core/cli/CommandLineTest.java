package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.TestBackend;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages of {@code run} and {@code check} for operator mistakes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandLineTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void unknownConfigKeyExits2NamingItsPath() throws Exception {
        Path config = Files.writeString(dir.resolve("halb.yaml"), """
                vips:
                  - name: web
                    bind: 127.0.0.1:0
                    healthCheck:
                      intervalMz: 100
                """);
        assertThat(execute("run", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("vips[0].healthCheck.intervalMz").contains("unknown key")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(execute("check", "--config", config.toString())).isEqualTo(2);
    }

    @Test
    void vipPortInUseExits1NamingVipAndAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket();
             TestBackend echo = TestBackend.echo()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            Path config = Files.writeString(dir.resolve("halb.yaml"), """
                    admin:
                      bind: 127.0.0.1:%d
                    vips:
                      - name: web
                        bind: 127.0.0.1:%d
                        backends:
                          - { address: 127.0.0.1, port: %d }
                    """.formatted(FreePorts.next(), port, echo.port()));
            assertThat(execute("run", "--config", config.toString())).isEqualTo(1);
            assertThat(err.toString())
                    .contains("cannot bind VIP web on 127.0.0.1:" + port + ": address already in use")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void checkPrintsTheResolvedVips() throws Exception {
        Path config = Files.writeString(dir.resolve("halb.yaml"), """
                vips:
                  - name: web
                    bind: 0.0.0.0:${WEB_PORT:-8080}
                    strategy: round-robin
                    backends:
                      - { address: 10.0.0.1, port: 9001, zone: a, weight: 50 }
                """);
        assertThat(execute("check", "--config", config.toString())).isEqualTo(0);
        assertThat(out.toString()).contains("web: bind 0.0.0.0:8080, service web, strategy round-robin")
                .contains("backend 10.0.0.1:9001 zone=a weight=50");
    }

    @Test
    void missingFileAndUsageErrorsExit2() {
        assertThat(execute("check", "--config", dir.resolve("nope.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("nope.yaml");
        assertThat(execute("run")).isEqualTo(2);
        assertThat(execute("frobnicate")).isEqualTo(2);
    }

    @Test
    void fileErrorsNameTheFileOnce() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertThat(execute("check", "--config", missing.toString())).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo("halb: invalid configuration " + missing + ": no such file (expected: a readable YAML file)");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "admin: [\n");
        err.getBuffer().setLength(0);
        assertThat(execute("run", "--config", bad.toString())).isEqualTo(2);
        assertThat(err.toString()).startsWith("halb: invalid configuration " + bad + ": invalid YAML at line ");
        assertThat(occurrences(err.toString(), bad.toString())).isEqualTo(1);

        Path badKey = Files.writeString(dir.resolve("key.yaml"), "drain: {delayMs: -1}\n");
        err.getBuffer().setLength(0);
        assertThat(execute("check", "--config", badKey.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("halb: invalid configuration " + badKey
                + ": drain.delayMs: '-1' (expected: an integer 0-3600000)");
    }

    @Test
    void anEmptyConfigurationIsValidButCheckWarnsThatItServesNothing() throws Exception {
        for (String text : new String[] {"", "vips: []\n"}) {
            Path config = Files.writeString(dir.resolve("empty.yaml"), text);
            err.getBuffer().setLength(0);
            assertThat(execute("check", "--config", config.toString())).isEqualTo(0);
            assertThat(out.toString()).contains("vips: 0");
            assertThat(err.toString()).contains("warning: " + config + " serves nothing");
        }
        Path withZooKeeper = Files.writeString(dir.resolve("zk.yaml"), "discovery: {zookeeper: {connect: z1:2181}}\n");
        err.getBuffer().setLength(0);
        assertThat(execute("check", "--config", withZooKeeper.toString())).isEqualTo(0);
        assertThat(err.toString()).doesNotContain("serves nothing");
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            count++;
        }
        return count;
    }

    @Test
    void checkPrintsTheIdTheReplicaWouldUse() throws Exception {
        Path config = Files.writeString(dir.resolve("halb.yaml"), "admin: { bind: 127.0.0.1:9991 }\n");
        assertThat(execute("check", "--config", config.toString())).isEqualTo(0);
        assertThat(out.toString()).contains("replica: id=" + java.net.InetAddress.getLocalHost().getHostName()
                + "-9991 ").doesNotContain("<hostname>");
    }

    @Test
    void everyCommandAnswersVersionAndBareHalbPrintsTheUsageOnce() {
        for (String command : new String[] {"run", "check", "register", "demo"}) {
            out.getBuffer().setLength(0);
            assertThat(execute(command, "--version")).as(command).isEqualTo(0);
            assertThat(out.toString()).as(command).startsWith("halb ");
        }
        assertThat(execute()).isEqualTo(2);
        assertThat(err.toString().split("Usage: halb", -1)).as(err.toString()).hasSize(2);
        assertThat(err.toString()).contains("a command is required");
    }

    @Test
    void aTransportThatDoesNotExistIsAUsageError() throws Exception {
        Path config = Files.writeString(dir.resolve("halb.yaml"), "admin: { bind: 127.0.0.1:0 }\n");
        System.setProperty("halb.transport", "foo");
        try {
            assertThat(execute("run", "--config", config.toString())).isEqualTo(2);
        } finally {
            System.clearProperty("halb.transport");
        }
        assertThat(err.toString()).contains("-Dhalb.transport: 'foo' (expected one of: io_uring, epoll, nio)");
    }
}
