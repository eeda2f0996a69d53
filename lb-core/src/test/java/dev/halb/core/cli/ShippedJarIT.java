package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
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
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShippedJarIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theJarRelaysWithNettysOwnDirectBuffers() throws Exception {
        Path jar = Path.of("target", "halb.jar");
        assertThat(jar).as("built by mvn package").exists();
        List<String> options = HalbProcess.launcherOptions();
        int adminPort = FreePorts.next();
        int vipPort = FreePorts.next();
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
        try (TestBackend echo = TestBackend.echo()) {
            Path config = Files.writeString(dir.resolve("halb.yaml"), """
                    replica: { id: jar-test }
                    admin: { bind: 127.0.0.1:%d }
                    vips:
                      - name: web
                        bind: 127.0.0.1:%d
                        healthCheck: { type: none }
                        backends: [ { address: 127.0.0.1, port: %d } ]
                    drain: { delayMs: 0, timeoutMs: 5000 }
                    """.formatted(adminPort, vipPort, echo.port()));
            try (HalbProcess halb = HalbProcess.startJar(dir, jar, options, "run", "--config", config.toString())) {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> Clients.get(admin, "/ready").statusCode() == 200);
                try (Socket client = Clients.connect(new InetSocketAddress("127.0.0.1", vipPort))) {
                    Clients.assertEchoes(client, 'j');
                }
                JsonNode direct = JSON.readTree(Clients.get(admin, "/api/v1/status").body()).path("directMemory");
                assertThat(direct.path("jdkCleaner").isBoolean()).as(direct.toString()).isTrue();
                assertThat(direct.path("jdkCleaner").asBoolean()).as(direct.toString()).isFalse();
                assertThat(direct.path("maxBytes").asLong()).isEqualTo(maxDirectMemory(options));
                assertThat(direct.path("readsPauseAtBytes").asLong())
                        .isEqualTo(maxDirectMemory(options) / 100 * 60);
                halb.terminate();
                assertThat(halb.waitFor(30)).as(halb.output()).isEqualTo(0);
                assertThat(halb.output()).doesNotContain("Exception", "WARNING");
            }
        }
    }

    /** {@code -XX:MaxDirectMemorySize} among the launcher's options, in bytes ({@code 64m} and the like). */
    private static long maxDirectMemory(List<String> options) {
        String prefix = "-XX:MaxDirectMemorySize=";
        String value = options.stream().filter(o -> o.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("bin/halb sets no " + prefix)).substring(prefix.length());
        long n = Long.parseLong(value.replaceAll("[kKmMgG]$", ""));
        return switch (Character.toLowerCase(value.charAt(value.length() - 1))) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> n;
        };
    }
}
