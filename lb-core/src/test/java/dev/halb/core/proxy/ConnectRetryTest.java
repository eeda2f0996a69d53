package dev.halb.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.Bytes;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A backend whose port is closed costs clients nothing: the connect is retried on another one. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectRetryTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void clientsSucceedThroughTheLiveBackends(Transport transport) throws Exception {
        int deadPort = FreePorts.next();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (TestBackend a = TestBackend.echo(); TestBackend b = TestBackend.echo()) {
            VipConfig vip = TestConfigs.vip("web", List.of(TestConfigs.backend(a.port()),
                    TestConfigs.backend(deadPort), TestConfigs.backend(b.port())));
            try (Replica replica = Replica.start(TestConfigs.replica(vip),
                    Replica.Options.defaults().withTransport(transport))) {
                InetSocketAddress address = replica.vipAddress("web");
                for (int i = 0; i < 60; i++) {
                    byte[] data = ("request " + i).getBytes(StandardCharsets.US_ASCII);
                    Bytes.assertSameBytes(Clients.roundTrip(address, data, pool), data, "client " + i);
                }
                assertThat(a.accepted() + b.accepted()).isEqualTo(60);
                String metrics = replica.admin().metrics();
                assertThat(metrics).containsPattern("halb_connect_failures_total\\{vip=\"web\",backend=\"127\\.0\\.0\\.1:"
                        + deadPort + "\",} [1-9]");
                assertThat(metrics).contains("halb_rejected_total{vip=\"web\",reason=\"connect_failed\",} 0.0");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void clientIsClosedWhenEveryBackendIsDown(Transport transport) throws Exception {
        // Ports held by bound, unconnected sockets: connects to them are refused, and the VIP's own
        // ephemeral port cannot be one of them (a freed port could, making halb connect to itself).
        try (var dead1 = new java.net.Socket(); var dead2 = new java.net.Socket()) {
            dead1.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            dead2.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            clientIsClosedWhenEveryBackendIsDown(transport, dead1.getLocalPort(), dead2.getLocalPort());
        }
    }

    private void clientIsClosedWhenEveryBackendIsDown(Transport transport, int port1, int port2) throws Exception {
        VipConfig vip = TestConfigs.vip("web", List.of(TestConfigs.backend(port1), TestConfigs.backend(port2)));
        try (Replica replica = Replica.start(TestConfigs.replica(vip),
                Replica.Options.defaults().withTransport(transport));
             var client = Clients.connect(replica.vipAddress("web"))) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(replica.admin().metrics()).contains("halb_rejected_total{vip=\"web\",reason=\"connect_failed\",} 1.0");
        }
    }
}
