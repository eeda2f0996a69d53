package dev.halb.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.core.config.AdminConfig;
import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.DiscoveryConfig;
import dev.halb.core.config.DrainConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.OutlierDetectionConfig;
import dev.halb.core.config.PeersConfig;
import dev.halb.core.config.RegionFailoverConfig;
import dev.halb.core.config.ReplicaConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.config.ZoneAffinityConfig;
import dev.halb.core.config.ZooKeeperConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
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
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: headless Chromium loads {@code GET /} of a running replica
 * (real backends, one of them dead), runs its script, and the DOM it leaves shows the VIP, the
 * replica, every backend and the dead one's state, as refreshed from the JSON API. A screenshot
 * is saved as {@code target/status-page.png}. A second test does the same for one of three
 * replicas sharing a real ZooKeeper, its peers draining and down and its VIP failing over to
 * another region ({@code target/status-page-peers.png}). Skipped, saying why, only when no
 * Chromium is installed ({@code .ci/run} installs it); {@code CHROMIUM=/path} picks one.
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

    private static String browser() {
        Optional<String> browser = chromium();
        Assumptions.assumeTrue(browser.isPresent(),
                "no Chromium found (chromium, chromium-browser or google-chrome on PATH, or CHROMIUM=/path): "
                        + "apt-get install -y chromium; .ci/run does that");
        return browser.get();
    }

    @Test
    void thePageRendersTheReplicaItsVipAndBackendsAfterItsScriptRan() throws Exception {
        String browser = browser();
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
                assertThat(plain.body()).contains("data-vip=\"web\"", deadId, "state unhealthy", "as of page load",
                                "<dt>direct memory</dt>")
                        .doesNotContain("src=\"http", "href=\"http");

                String dom = run(browser, "--dump-dom", url);
                assertThat(dom).as("the script ran and replaced the server's markup").contains("live · updated");
                assertThat(dom).contains("data-vip=\"web\"", "data-replica=\"browser-replica\"");
                for (TestBackend x : List.of(a, b)) {
                    assertThat(dom).contains("data-backend=\"127.0.0.1:" + x.port() + "\"");
                }
                String deadRow = dom.substring(dom.indexOf("data-backend=\"" + deadId + "\""));
                deadRow = deadRow.substring(0, deadRow.indexOf("</tr>"));
                assertThat(deadRow).contains("class=\"state unhealthy\">unhealthy<");
                assertThat(dom).as("zone split bar").contains("class=\"seg\"");
                assertThat(dom).containsPattern("<dt>direct memory</dt><dd>\\d+\\.\\d of \\d+\\.\\d MiB</dd>");

                Path shot = Path.of("target", "status-page.png").toAbsolutePath();
                Files.deleteIfExists(shot);
                run(browser, "--screenshot=" + shot, url);
                assertThat(shot).exists();
                assertThat(Files.size(shot)).isPositive();
            }
        }
    }

    /**
     * Replicas r1 (zone eu-a), r2 and r3 (eu-b), all in region eu, on one real ZooKeeper with fast
     * peer probes; r3 is draining (its SIGTERM sequence, held in its delay), and r4 is a node in
     * ZooKeeper whose admin port refuses connections, as a killed replica's is until its session
     * expires. Half of the VIP's eu backends are dead and its us backends are up, so 1.4 * 1/2 of
     * new connections stay in eu and the rest fail over. r1's page, as its script leaves it and as
     * the server renders it, shows each peer's state and both splits.
     */
    @Test
    void aReplicasPageShowsItsPeersStatesAndTheRegionSplit() throws Exception {
        String browser = browser();
        try (TestBackend euA = TestBackend.echo(); TestBackend euB = TestBackend.echo();
             TestBackend usA = TestBackend.echo(); TestBackend usB = TestBackend.echo();
             Socket deadA = new Socket(); Socket deadB = new Socket(); Socket deadAdmin = new Socket()) {
            for (Socket dead : List.of(deadA, deadB, deadAdmin)) {
                dead.bind(new InetSocketAddress("127.0.0.1", 0)); // bound, not listening: connects are refused
            }
            List<BackendConfig> backends = List.of(
                    new BackendConfig("127.0.0.1", euA.port(), "eu-a", "eu", "", 100),
                    new BackendConfig("127.0.0.1", deadA.getLocalPort(), "eu-a", "eu", "", 100),
                    new BackendConfig("127.0.0.1", euB.port(), "eu-b", "eu", "", 100),
                    new BackendConfig("127.0.0.1", deadB.getLocalPort(), "eu-b", "eu", "", 100),
                    new BackendConfig("127.0.0.1", usA.port(), "us-a", "us", "", 100),
                    new BackendConfig("127.0.0.1", usB.port(), "us-b", "us", "", 100));
            try (TestingServer zk = new TestingServer(true);
                 Replica r1 = Replica.start(peerConfig("r1", "eu-a", zk, backends, 0), Replica.Options.defaults());
                 Replica r2 = Replica.start(peerConfig("r2", "eu-b", zk, backends, 0), Replica.Options.defaults());
                 Replica r3 = Replica.start(peerConfig("r3", "eu-b", zk, backends, 60_000), Replica.Options.defaults());
                 CuratorFramework client = CuratorFrameworkFactory.newClient(zk.getConnectString(), 10_000, 3_000,
                         new RetryOneTime(100))) {
                client.start();
                String r4 = "{\"id\":\"r4\",\"zone\":\"eu-a\",\"region\":\"eu\",\"address\":\"127.0.0.1\","
                        + "\"admin\":\"127.0.0.1:" + deadAdmin.getLocalPort() + "\",\"vips\":[]}";
                client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath("/halb/replicas/r4", r4.getBytes(StandardCharsets.UTF_8));
                // The SIGTERM sequence: /health answers 503 at once, then it waits out drain.delayMs.
                Thread drainer = new Thread(() -> {
                    try {
                        r3.drain();
                    } catch (InterruptedException e) {
                        // the test is over: r3 is closed below
                    }
                }, "r3-drain");
                drainer.start();
                try {
                    InetSocketAddress admin = r1.adminAddress();
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        assertThat(peerState(admin, "r2")).isEqualTo("serving");
                        assertThat(peerState(admin, "r3")).isEqualTo("draining");
                        assertThat(peerState(admin, "r4")).isEqualTo("down");
                        assertThat(AdminJson.vip(admin, "web").get("regionRouting").get("mode").asText())
                                .isEqualTo("failover");
                    });
                    for (int i = 0; i < 20; i++) {
                        try (Socket s = Clients.connect(r1.vipAddress("web"))) {
                            s.getOutputStream().write('x');
                            assertThat(s.getInputStream().read()).isEqualTo('x');
                        }
                    }
                    String url = "http://127.0.0.1:" + admin.getPort() + "/";

                    // Readable without JavaScript: the server renders the same states and bars.
                    String plain = Clients.get(admin, "/").body();
                    assertPeersAndSplits(plain);

                    String dom = run(browser, "--dump-dom", url);
                    assertThat(dom).as("the script ran and replaced the server's markup").contains("live · updated");
                    assertPeersAndSplits(dom);

                    Path shot = Path.of("target", "status-page-peers.png").toAbsolutePath();
                    Files.deleteIfExists(shot);
                    run(browser, "--screenshot=" + shot, url);
                    assertThat(shot).exists();
                    assertThat(Files.size(shot)).isPositive();
                } finally {
                    drainer.interrupt();
                    drainer.join(10_000);
                }
            }
        }
    }

    /** A replica on {@code zk} in region eu over {@code backends}, with fast health checks and peer probes. */
    private static HalbConfig peerConfig(String id, String zone, TestingServer zk, List<BackendConfig> backends,
                                         long drainDelayMs) {
        VipConfig v = HealthTestConfigs.vip("web", backends, HealthTestConfigs.tcpCheck(200, 200, 1, 1),
                OutlierDetectionConfig.DEFAULT, 2);
        v = new VipConfig(v.name(), v.bind(), v.service(), v.strategy(), new ZoneAffinityConfig(true, 1),
                RegionFailoverConfig.DEFAULT, v.backends(), v.healthCheck(), v.outlierDetection(), v.connectTimeoutMs(),
                v.connectRetries(), v.idleTimeoutMs(), v.finTimeoutMs(), 1_000, v.proxyProtocol(),
                v.allowedBackendCidrs());
        return new HalbConfig(new ReplicaConfig(id, zone, "eu"),
                new DiscoveryConfig(new ZooKeeperConfig(zk.getConnectString(), "/halb", 10_000, 3_000, "")),
                new AdminConfig(TestConfigs.ANY_LOOPBACK_PORT, "secret"), List.of(v),
                new DrainConfig(drainDelayMs, 1_000)).withDnsAndPeers(null, new PeersConfig(200, 200, 2));
    }

    private static String peerState(InetSocketAddress admin, String id) {
        for (JsonNode r : AdminJson.get(admin, "/api/v1/replicas")) {
            if (r.get("id").asText().equals(id)) {
                return r.get("state").asText();
            }
        }
        return "absent";
    }

    /**
     * r1's page: each replica's box with its state, the zone bar, the region bar (70 % eu, 30 %
     * us) and the backends' regions.
     */
    private static void assertPeersAndSplits(String page) {
        assertThat(replicaBox(page, "r1")).contains("this replica", "class=\"state serving\">serving<");
        assertThat(replicaBox(page, "r2")).contains("class=\"state serving\">serving<");
        assertThat(replicaBox(page, "r3")).contains("class=\"state draining\">draining<");
        assertThat(replicaBox(page, "r4")).contains("class=\"state down\">down<");
        assertThat(page).as("zone split bar").contains("<span class=\"split-label\">zones</span>");
        String zones = page.substring(page.indexOf("<span class=\"split-label\">zones</span>"));
        assertThat(zones.substring(0, zones.indexOf("</div></div>"))).contains("class=\"seg\"");
        assertThat(page).as("region split bar").contains("<span class=\"split-label\">regions</span>");
        String regions = page.substring(page.indexOf("<span class=\"split-label\">regions</span>"));
        regions = regions.substring(0, regions.indexOf("</div></div>"));
        assertThat(regions).contains("class=\"seg\"", ">eu 70%<", ">us 30%<", "failover", "local eu")
                .doesNotContain("no candidates");
        assertThat(page).as("a backend's region chip").contains("\">us</span></td>");
    }

    /** The markup of the box of replica {@code id}, up to the next box or the end of the section. */
    private static String replicaBox(String page, String id) {
        int at = page.indexOf("data-replica=\"" + id + "\"");
        assertThat(at).as("a box for replica %s", id).isNotNegative();
        String box = page.substring(at);
        int next = box.indexOf("data-replica=", 1);
        return box.substring(0, next < 0 ? box.indexOf("</section>") : next);
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
