package dev.halb.core.discovery;

import dev.halb.discovery.testing.Closeables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.core.config.ZooKeeperConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.EchoClient;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import dev.halb.core.testing.ZooKeeperConfigs;
import dev.halb.discovery.Locality;
import dev.halb.discovery.zookeeper.ServiceRegistration;
import dev.halb.discovery.zookeeper.ZooKeeperClients;
import dev.halb.discovery.zookeeper.ZooKeeperConnection;
import dev.halb.discovery.zookeeper.ZooKeeperSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * {@code connect: embedded} (an in-process ZooKeeper on 127.0.0.1:2181, or a free port when that
 * is taken) and a ZooKeeper that does not answer at all (the replica starts anyway, within about
 * {@code connectionTimeoutMs}, and serves its static backends).
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class ConnectModesTest {

    @RegisterExtension
    final Closeables closeables = new Closeables();

    private static ZooKeeperConfig embedded() {
        return new ZooKeeperConfig(ZooKeeperConfig.EMBEDDED, "/halb", 10_000, 3_000, "");
    }

    @Test
    void embeddedZooKeeperServesRegistrationsAndGoesWithTheReplica() throws Exception {
        TestBackend backend = closeables.track(TestBackend.echo());
        // Whether or not 2181 is free here, someone holds it now: the replica takes a free port instead.
        ServerSocket squatter = null;
        try {
            squatter = new ServerSocket();
            squatter.bind(new InetSocketAddress("127.0.0.1", Replica.EMBEDDED_ZOOKEEPER_PORT));
        } catch (IOException e) {
            squatter = null; // taken by someone else: just as good
        }
        Replica replica;
        try {
            replica = closeables.track(Replica.start(ZooKeeperConfigs.replica("solo", "a", embedded(),
                    TestConfigs.vip("web", List.of())), Replica.Options.defaults()));
        } finally {
            if (squatter != null) {
                squatter.close();
            }
        }
        String connect = replica.zooKeeperConnectString();
        assertThat(connect).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:" + Replica.EMBEDDED_ZOOKEEPER_PORT);
        InetSocketAddress admin = replica.adminAddress();
        JsonNode status = AdminJson.get(admin, "/api/v1/status");
        assertThat(status.get("discovery").asText()).isEqualTo("connected");
        assertThat(status.get("zookeeper").asText()).isEqualTo(connect);

        // A backend registers with the embedded server, as `halb register --zk <connect>` does.
        ZooKeeperConnection backendSide = closeables.track(ZooKeeperClients.connect(ZooKeeperSettings.of(connect)));
        ServiceRegistration registration = closeables.track(ServiceRegistration.register(backendSide,
                new ServiceRegistration.Instance("web", "one", "127.0.0.1", backend.port(), Locality.ofZone("a"), 100)));
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminJson.backendIds(admin, "web").equals(List.of("one")));
        EchoClient.times(replica.vipAddress("web"), 5);
        assertThat(backend.accepted()).isEqualTo(5);
        assertThat(AdminJson.replicaIds(admin)).containsExactly("solo");

        registration.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminJson.backendIds(admin, "web").isEmpty());
        backendSide.close();
        replica.close();
        int port = Integer.parseInt(connect.substring(connect.lastIndexOf(':') + 1));
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
    }

    @Test
    void anUnreachableZooKeeperDelaysTheStartByAtMostItsTimeoutAndStaticBackendsServe() throws Exception {
        TestBackend backend = closeables.track(TestBackend.echo());
        ZooKeeperConfig nobody = new ZooKeeperConfig("127.0.0.1:" + FreePorts.next(), "/halb", 4_000, 1_000, "");
        long start = System.nanoTime();
        Replica replica = closeables.track(Replica.start(ZooKeeperConfigs.replica("lonely", "", nobody,
                TestConfigs.vip("web", backend)), Replica.Options.defaults()));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        InetSocketAddress admin = replica.adminAddress();
        JsonNode status = AdminJson.get(admin, "/api/v1/status");
        assertThat(status.get("discovery").asText()).isEqualTo("disconnected");
        assertThat(status.get("state").asText()).isEqualTo("serving");
        assertThat(AdminJson.metric(admin, "halb_discovery_connected")).isZero();
        assertThat(Clients.get(admin, "/ready").statusCode()).isEqualTo(200);
        assertThat(AdminJson.replicaIds(admin)).containsExactly("lonely");
        EchoClient.times(replica.vipAddress("web"), 5);
        assertThat(backend.accepted()).isEqualTo(5);
    }

    @Test
    void withoutZooKeeperDiscoveryIsStaticAndHasNoConnectedGauge() throws Exception {
        TestBackend backend = closeables.track(TestBackend.echo());
        Replica replica = closeables.track(Replica.start(TestConfigs.replica(TestConfigs.vip("web", backend)),
                Replica.Options.defaults()));
        JsonNode status = AdminJson.get(replica.adminAddress(), "/api/v1/status");
        assertThat(status.get("discovery").asText()).isEqualTo("static");
        assertThat(status.get("zookeeper").asText()).isEmpty();
        assertThat(AdminJson.hasMetric(replica.adminAddress(), "halb_discovery_connected")).isFalse();
        assertThat(replica.zooKeeperConnectString()).isNull();
    }
}
