package dev.halb.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.EchoClient;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import dev.halb.core.testing.ZooKeeperConfigs;
import dev.halb.discovery.testing.ZooKeeperServerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dynamic VIPs: a node under {@code /halb/vips} is bound on a running
 * replica, rebound when its bind changes (open connections on the old address go on), applied to
 * new connections when its settings change, and unbound after draining when deleted. Bad nodes
 * and VIPs that cannot bind are reported and never hurt the others.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class DynamicVipTest {

    @RegisterExtension
    final ZooKeeperServerExtension zk = new ZooKeeperServerExtension();

    private final List<TestBackend> backends = new ArrayList<>();

    @AfterEach
    void stopBackends() {
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend() {
        TestBackend b = TestBackend.echo();
        backends.add(b);
        return b;
    }

    private static String vipJson(int port, String strategy, TestBackend backend) {
        return """
                {"bind": "127.0.0.1:%d", "strategy": "%s", "healthCheck": {"type": "none"},
                 "backends": [{"address": "127.0.0.1", "port": %d}]}""".formatted(port, strategy, backend.port());
    }

    private static void write(CuratorFramework client, String name, String json) throws Exception {
        String path = "/halb/vips/" + name;
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        if (client.checkExists().forPath(path) == null) {
            client.create().creatingParentsIfNeeded().forPath(path, body);
        } else {
            client.setData().forPath(path, body);
        }
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void aVipCreatedChangedMovedAndDeletedInZooKeeper() throws Exception {
        TestBackend x = backend();
        TestBackend y = backend();
        Replica replica = zk.track(Replica.start(ZooKeeperConfigs.replica("dyn", "", zk.connectString(),
                TestConfigs.vip("web", x)), Replica.Options.defaults()));
        InetSocketAddress admin = replica.adminAddress();
        CuratorFramework operator = zk.plainClient();

        // Created: bound, serving, listed in the replica's node.
        int first = FreePorts.next();
        write(operator, "api", vipJson(first, "p2c", x));
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.vipAddress("api") != null);
        assertThat(replica.vipAddress("api").getPort()).isEqualTo(first);
        EchoClient.times(loopback(first), 5);
        JsonNode api = AdminJson.vip(admin, "api");
        assertThat(api.get("bound").asBoolean()).isTrue();
        assertThat(api.get("source").asText()).isEqualTo("zookeeper");
        assertThat(api.get("error").isNull()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminJson.get(admin, "/api/v1/replicas").get(0)
                .get("vips").findValuesAsText("name").equals(List.of("web", "api")));

        // Settings changed, same bind: open connections keep going, new ones get the new backends.
        try (Socket open = Clients.connect(loopback(first))) {
            assertThat(echo(open)).isTrue();
            int yBefore = y.accepted();
            write(operator, "api", vipJson(first, "round-robin", y));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    AdminJson.vip(admin, "api").get("strategy").asText().equals("round-robin"));
            assertThat(AdminJson.backendIds(admin, "api")).containsExactly("127.0.0.1:" + y.port());
            int xBefore = x.accepted();
            EchoClient.times(loopback(first), 5);
            assertThat(x.accepted()).isEqualTo(xBefore);
            assertThat(y.accepted() - yBefore).isEqualTo(5);
            assertThat(echo(open)).as("a connection opened before the change").isTrue();
        }

        // Bind changed: the new address serves, the old one accepts no more, its connection goes on.
        int second = FreePorts.next();
        try (Socket onOld = Clients.connect(loopback(first))) {
            assertThat(echo(onOld)).isTrue();
            write(operator, "api", vipJson(second, "round-robin", y));
            await().atMost(Duration.ofSeconds(10)).until(() -> replica.vipAddress("api").getPort() == second);
            EchoClient.times(loopback(second), 5);
            assertThatThrownBy(() -> EchoClient.once(loopback(first))).isInstanceOf(UncheckedIOException.class);
            assertThat(echo(onOld)).as("a connection to the old address").isTrue();
        }
        assertThat(AdminJson.vip(admin, "api").get("bind").asText()).isEqualTo("127.0.0.1:" + second);

        // Deleted: no new connections at once, open ones drain (drain.timeoutMs 2 s), then metrics go.
        assertThat(AdminJson.hasMetric(admin, "halb_connections_total\\{vip=\"api\",}")).isTrue();
        try (Socket draining = Clients.connect(loopback(second))) {
            assertThat(echo(draining)).isTrue();
            operator.delete().forPath("/halb/vips/api");
            await().atMost(Duration.ofSeconds(10)).until(() -> AdminJson.vip(admin, "api") == null);
            assertThat(replica.vipAddress("api")).isNull();
            assertThatThrownBy(() -> EchoClient.once(loopback(second))).isInstanceOf(UncheckedIOException.class);
            assertThat(echo(draining)).as("a connection open when the VIP was deleted").isTrue();
            // Closed by the replica once drain.timeoutMs is up.
            draining.setSoTimeout(10_000);
            assertThat(draining.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !AdminJson.hasMetric(admin, ".*vip=\"api\".*"));
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminJson.get(admin, "/api/v1/replicas").get(0)
                .get("vips").findValuesAsText("name").equals(List.of("web")));
        EchoClient.times(replica.vipAddress("web"), 3);
    }

    @Test
    void badNodesAndVipsThatCannotBindAreReportedAndHurtNoOtherVip() throws Exception {
        TestBackend x = backend();
        CuratorFramework operator = zk.plainClient();
        int busyPort;
        int good = FreePorts.next();
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(loopback(0));
            busyPort = squatter.getLocalPort();
            write(operator, "broken", "{\"bind\": \"127.0.0.1:");
            write(operator, "shape", "[\"not\", \"an\", \"object\"]");
            write(operator, "busy", vipJson(busyPort, "p2c", x));
            write(operator, "web", vipJson(FreePorts.next(), "p2c", x));
            write(operator, "good", vipJson(good, "p2c", x));
            Replica replica = zk.track(Replica.start(ZooKeeperConfigs.replica("dyn", "", zk.connectString(),
                    TestConfigs.vip("web", x)), Replica.Options.defaults()));
            InetSocketAddress admin = replica.adminAddress();

            // The first map was applied before start returned.
            assertThat(AdminJson.get(admin, "/api/v1/vips").findValuesAsText("name"))
                    .containsExactly("web", "broken", "busy", "good", "shape");
            assertThat(AdminJson.vip(admin, "web").get("source").asText()).isEqualTo("config");
            JsonNode broken = AdminJson.vip(admin, "broken");
            assertThat(broken.get("bound").asBoolean()).isFalse();
            assertThat(broken.get("error").asText()).contains("/halb/vips/broken");
            assertThat(AdminJson.vip(admin, "shape").get("error").asText()).contains("vips.shape");
            JsonNode busy = AdminJson.vip(admin, "busy");
            assertThat(busy.get("bound").asBoolean()).isFalse();
            assertThat(busy.get("error").asText())
                    .isEqualTo("cannot bind VIP busy on 127.0.0.1:" + busyPort + ": address already in use");
            assertThat(busy.get("bind").asText()).isEqualTo("127.0.0.1:" + busyPort);
            assertThat(AdminJson.metric(admin, "halb_discovery_rejected_total")).isEqualTo(2.0);
            assertThat(Clients.get(admin, "/ready").statusCode()).isEqualTo(200);
            EchoClient.times(replica.vipAddress("web"), 3);
            EchoClient.times(loopback(good), 3);

            squatter.close();
            // Tried again in the background.
            await().atMost(Duration.ofSeconds(10)).until(() -> AdminJson.vip(admin, "busy").get("bound").asBoolean());
            EchoClient.times(loopback(busyPort), 3);

            // A serving VIP whose node turns bad keeps its last good version, and says so.
            write(operator, "good", "{\"bind\": 8080, \"strategy\": \"fastest\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !AdminJson.vip(admin, "good").get("error").isNull());
            JsonNode stale = AdminJson.vip(admin, "good");
            assertThat(stale.get("bound").asBoolean()).isTrue();
            assertThat(stale.get("error").asText()).contains("still serving its previous version");
            assertThat(AdminJson.metric(admin, "halb_discovery_rejected_total")).isEqualTo(3.0);
            EchoClient.times(loopback(good), 3);
            assertThat(Clients.get(admin, "/ready").statusCode()).isEqualTo(200);
        }
    }

    /** Sends a byte on an open connection and reads it back. */
    private static boolean echo(Socket s) {
        try {
            s.getOutputStream().write('y');
            return s.getInputStream().read() == 'y';
        } catch (IOException e) {
            return false;
        }
    }
}
