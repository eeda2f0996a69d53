package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HalbProcess;
import dev.halb.core.testing.TestBackend;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar, run as {@code bin/halb} runs it ({@code java <its JVM options> -jar halb.jar}):
 * it relays bytes, and Netty allocates its direct buffers itself, without a JDK Cleaner each, which
 * takes the manifest's opening of {@code java.nio} and the property halb's main sets.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShippedJarIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JAR = Path.of("target", "halb.jar");

    @TempDir
    Path dir;

    @Test
    void theJarRelaysWithNettysOwnDirectBuffers() throws Exception {
        List<String> options = HalbProcess.launcherOptions();
        JsonNode direct = relayOnceAndReadDirectMemory(options);
        assertThat(direct.path("jdkCleaner").isBoolean()).as(direct.toString()).isTrue();
        assertThat(direct.path("jdkCleaner").asBoolean()).as(direct.toString()).isFalse();
        long max = HalbProcess.launcherMaxDirectMemory();
        assertThat(direct.path("maxBytes").asLong()).isEqualTo(max);
        // Reads pause at 60 % of the cap (README, "Memory").
        assertThat(direct.path("readsPauseAtBytes").asLong()).isEqualTo(max / 100 * 60);
    }

    /**
     * Told not to, Netty goes through the JDK, and the figure reads pause on stays what it is:
     * Netty counts those buffers too, and they must not be counted twice.
     */
    @Test
    void throughTheJdkTheDirectMemoryFigureStaysTheSame() throws Exception {
        JsonNode own = relayOnceAndReadDirectMemory(HalbProcess.launcherOptions());
        List<String> options = new ArrayList<>(HalbProcess.launcherOptions());
        options.add("-Dio.netty.tryReflectionSetAccessible=false");
        JsonNode jdk = relayOnceAndReadDirectMemory(options);
        assertThat(jdk.path("jdkCleaner").asBoolean()).as(jdk.toString()).isTrue();
        long ownBytes = own.path("usedBytes").asLong();
        assertThat(ownBytes).isPositive();
        assertThat(jdk.path("usedBytes").asLong()).as("through the JDK: %s; Netty's own: %s", jdk, own)
                .isBetween(ownBytes / 2, ownBytes * 3 / 2);
    }

    /** Starts the jar, sends bytes through a VIP to an echo backend, and returns its status's directMemory. */
    private JsonNode relayOnceAndReadDirectMemory(List<String> options) throws Exception {
        assertThat(JAR).as("built by mvn package").exists();
        int adminPort = FreePorts.next();
        int vipPort = FreePorts.next();
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
        try (TestBackend echo = TestBackend.echo()) {
            Path config = Files.writeString(Files.createTempFile(dir, "halb", ".yaml"), """
                    replica: { id: jar-test }
                    admin: { bind: 127.0.0.1:%d }
                    vips:
                      - name: web
                        bind: 127.0.0.1:%d
                        healthCheck: { type: none }
                        backends: [ { address: 127.0.0.1, port: %d } ]
                    drain: { delayMs: 0, timeoutMs: 5000 }
                    """.formatted(adminPort, vipPort, echo.port()));
            try (HalbProcess halb = HalbProcess.startJar(dir, JAR, options, "run", "--config", config.toString())) {
                halb.awaitReady(admin);
                try (Socket client = Clients.connect(new InetSocketAddress("127.0.0.1", vipPort))) {
                    Clients.assertEchoes(client, 'j');
                }
                JsonNode direct = JSON.readTree(Clients.get(admin, "/api/v1/status").body()).path("directMemory");
                halb.terminate();
                assertThat(halb.waitFor(30)).as(halb.output()).isEqualTo(0);
                assertThat(halb.output()).doesNotContain("Exception", "WARNING");
                return direct;
            }
        }
    }
}
