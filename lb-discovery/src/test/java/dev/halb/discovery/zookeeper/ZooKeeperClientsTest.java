package dev.halb.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Starting without ZooKeeper, connecting later, settings that are wrong, the embedded server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZooKeeperClientsTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Test
    void startsWithoutZooKeeperWithinTheConnectionTimeoutAndConnectsWhenItComes() throws Exception {
        int port = freePort();
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2030-01-01T00:00:00Z"));
        long started = System.nanoTime();
        try (ZooKeeperConnection connection = ZooKeeperClients.connect(
                ZooKeeperSettings.of("127.0.0.1:" + port).withTimeouts(10_000, 500), now::get)) {
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            assertThat(connection.state()).isEqualTo(DiscoveryState.disconnected(Instant.parse("2030-01-01T00:00:00Z")));
            List<DiscoveryState> seen = new CopyOnWriteArrayList<>();
            connection.subscribe(seen::add);
            assertThat(seen).containsExactly(connection.state());

            now.set(Instant.parse("2030-01-01T00:01:00Z"));
            try (TestingServer server = new TestingServer(port, true)) {
                assertThat(server.getPort()).isEqualTo(port);
                await().atMost(Duration.ofSeconds(20)).until(() -> connection.state().connected());
                assertThat(seen).containsExactly(DiscoveryState.disconnected(Instant.parse("2030-01-01T00:00:00Z")),
                        DiscoveryState.connected(Instant.parse("2030-01-01T00:01:00Z")));
                assertThat(connection.state().label()).isEqualTo("connected");
                // The layout exists once connected.
                await().atMost(Duration.ofSeconds(10)).until(
                        () -> connection.curator().checkExists().forPath("/halb/replicas") != null);
            }
        }
    }

    @Test
    void settingsNameTheWrongValue() {
        assertThatThrownBy(() -> ZooKeeperSettings.of(" ")).hasMessage("connect: '' (expected: host:port[,host:port...])");
        assertThatThrownBy(() -> ZooKeeperSettings.of("h:1").withRoot("halb"))
                .hasMessageStartingWith("root: 'halb' (expected: an absolute ZooKeeper path");
        assertThatThrownBy(() -> ZooKeeperSettings.of("h:1").withTimeouts(0, 1))
                .hasMessage("sessionTimeoutMs: 0 (expected: > 0)");
        assertThatThrownBy(() -> ZooKeeperSettings.of("h:1").withAuth("nopassword"))
                .hasMessage("auth: (hidden) (expected: user:password, both non-empty)");
        assertThatThrownBy(() -> ZooKeeperSettings.validNodeName("service", "a/b"))
                .hasMessageContaining("service: 'a/b'");
        ZooKeeperSettings s = ZooKeeperSettings.of("h:1").withRoot("/team/halb/").withAuth("u:topsecret");
        assertThat(s.root()).isEqualTo("/team/halb");
        assertThat(s.servicePath("web")).isEqualTo("/team/halb/services/web");
        assertThat(s.vipsPath()).isEqualTo("/team/halb/vips");
        assertThat(s.replicasPath()).isEqualTo("/team/halb/replicas");
        assertThat(s.toString()).doesNotContain("topsecret");
        assertThat(ZooKeeperSettings.of("h:1").withRoot("/").servicesPath()).isEqualTo("/services");
    }

    @Test
    void embeddedZooKeeperServesOnLoopbackAndForgetsOnClose() throws Exception {
        EmbeddedZooKeeper embedded = EmbeddedZooKeeper.start();
        try {
            assertThat(embedded.connectString()).isEqualTo("127.0.0.1:" + embedded.port());
            try (ZooKeeperConnection connection = ZooKeeperClients.connect(
                    ZooKeeperSettings.of(embedded.connectString()))) {
                assertThat(connection.state().connected()).isTrue();
                try (ServiceRegistration r = ServiceRegistration.register(connection,
                        ServiceRegistration.Instance.of("web", "127.0.0.1", 9001))) {
                    assertThat(connection.curator().checkExists().forPath(r.path())).isNotNull();
                }
            }
            // Its port is taken now: a second one on it fails with a message naming it.
            assertThatThrownBy(() -> EmbeddedZooKeeper.start(embedded.port()))
                    .hasMessageStartingWith("cannot start embedded ZooKeeper on 127.0.0.1:" + embedded.port());
        } finally {
            embedded.close();
        }
        assertThat(Files.exists(embedded.dataDirectory())).isFalse();
        embedded.close(); // idempotent
    }
}
