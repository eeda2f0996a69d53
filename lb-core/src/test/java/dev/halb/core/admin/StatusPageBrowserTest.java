package dev.halb.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.ReplicaConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.config.ZoneAffinityConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.HealthTestConfigs;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: headless Chromium loads {@code GET /} of a running replica
 * (real backends, one of them dead), runs its script, and the DOM it leaves shows the VIP, the
 * replica, every backend and the dead one's state, as refreshed from the JSON API. A screenshot
 * is saved as {@code target/status-page.png}. Skipped, saying why, only when no Chromium is
 * installed ({@code .ci/run} installs it); {@code CHROMIUM=/path} picks one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StatusPageBrowserTest {

    @TempDir
    Path profile;

    static Optional<String> chromium() {
        String forced = System.getenv("CHROMIUM");
        if (forced != null && !forced.isBlank()) {
            return Optional.of(forced);
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        return Stream.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
                .flatMap(name -> Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, name)))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst();
    }

    @Test
    void thePageRendersTheReplicaItsVipAndBackendsAfterItsScriptRan() throws Exception {
        Optional<String> browser = chromium();
        Assumptions.assumeTrue(browser.isPresent(),
                "no Chromium found (chromium, chromium-browser or google-chrome on PATH, or CHROMIUM=/path): "
                        + "apt-get install -y chromium; .ci/run does that");
        try (TestBackend a = TestBackend.echo(); TestBackend b = TestBackend.echo(); Socket dead = new Socket()) {
            dead.bind(new InetSocketAddress("127.0.0.1", 0)); // bound, not listening: connects are refused
            VipConfig v = HealthTestConfigs.vip("web", List.of(HealthTestConfigs.backend(a.port(), "a"),
                            HealthTestConfigs.backend(b.port(), "b"), HealthTestConfigs.backend(dead.getLocalPort(), "b")),
                    HealthTestConfigs.tcpCheck(200, 200, 1, 1), OutlierDetectionConfig.DEFAULT, 2);
            v = new VipConfig(v.name(), v.bind(), v.service(), v.strategy(), new ZoneAffinityConfig(true, 1), v.regionFailover(),
                    v.backends(), v.healthCheck(), v.outlierDetection(), v.connectTimeoutMs(), v.connectRetries(),
                    v.idleTimeoutMs(), v.finTimeoutMs(), v.maxConnections(), v.proxyProtocol(), v.allowedBackendCidrs());
            HalbConfig base = TestConfigs.replica(v);
            HalbConfig config = new HalbConfig(new ReplicaConfig("browser-replica", "a", "eu"), base.discovery(),
                    base.admin(), base.vips(), base.drain());
            try (Replica replica = Replica.start(config, Replica.Options.defaults())) {
                String deadId = "127.0.0.1:" + dead.getLocalPort();
                await().atMost(Duration.ofSeconds(30)).until(() -> replica.admin().vips().get(0).backends().stream()
                        .anyMatch(x -> x.id().equals(deadId) && x.state().equals("unhealthy")));
                for (int i = 0; i < 20; i++) {
                    try (Socket s = Clients.connect(replica.vipAddress("web"))) {
                        s.getOutputStream().write('x');
                        assertThat(s.getInputStream().read()).isEqualTo('x');
                    }
                }
                InetSocketAddress admin = replica.adminAddress();
                String url = "http://127.0.0.1:" + admin.getPort() + "/";

                HttpResponse<String> plain = Clients.get(admin, "/");
                assertThat(plain.statusCode()).isEqualTo(200);
                assertThat(plain.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
                // Readable without JavaScript: the server already rendered the table.
                assertThat(plain.body()).contains("data-vip=\"web\"", deadId, "state unhealthy", "as of page load")
                        .doesNotContain("src=\"http", "href=\"http");

                String dom = run(browser.get(), "--dump-dom", url);
                assertThat(dom).as("the script ran and replaced the server's markup").contains("live · updated");
                assertThat(dom).contains("data-vip=\"web\"", "data-replica=\"browser-replica\"");
                for (TestBackend x : List.of(a, b)) {
                    assertThat(dom).contains("data-backend=\"127.0.0.1:" + x.port() + "\"");
                }
                String deadRow = dom.substring(dom.indexOf("data-backend=\"" + deadId + "\""));
                deadRow = deadRow.substring(0, deadRow.indexOf("</tr>"));
                assertThat(deadRow).contains("class=\"state unhealthy\">unhealthy<");
                assertThat(dom).as("zone split bar").contains("class=\"seg\"");

                Path shot = Path.of("target", "status-page.png").toAbsolutePath();
                Files.deleteIfExists(shot);
                run(browser.get(), "--screenshot=" + shot, url);
                assertThat(shot).exists();
                assertThat(Files.size(shot)).isPositive();
            }
        }
    }

    /** Runs headless Chromium on {@code url} and returns what it printed. */
    private String run(String browser, String what, String url) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(browser, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
                "--window-size=1280,860", "--hide-scrollbars",
                // Virtual time: the page's 2 s refresh runs twice before the DOM is taken, without waiting 5 s.
                "--virtual-time-budget=5000", what, url));
        Path out = Files.createTempFile(profile, "chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("chromium exit status").isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
