package dev.halb.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.replica.Replica;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code maxConnections} and {@code idleTimeoutMs}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsTest {

    @Test
    void clientsBeyondMaxConnectionsAreClosedAtOnceAndCounted() throws Exception {
        try (TestBackend echo = TestBackend.echo();
             Replica replica = Replica.start(TestConfigs.replica(
                     TestConfigs.withLimits(TestConfigs.vip("web", echo), 2, 600_000)), Replica.Options.defaults())) {
            try (Socket first = Clients.connect(replica.vipAddress("web"));
                 Socket second = Clients.connect(replica.vipAddress("web"))) {
                Clients.assertEchoes(first, 'a');
                Clients.assertEchoes(second, 'b');
                try (Socket third = Clients.connect(replica.vipAddress("web"))) {
                    assertClosedByPeer(third);
                }
                assertThat(replica.admin().metrics()).contains("halb_rejected_total{vip=\"web\",reason=\"max_connections\",} 1.0");
                Clients.assertEchoes(first, 'c');
            }
            // Below the limit again: a new client is served.
            await().atMost(Duration.ofSeconds(10)).until(() -> replica.admin().vips().get(0).activeConnections() == 0);
            try (Socket fourth = Clients.connect(replica.vipAddress("web"))) {
                Clients.assertEchoes(fourth, 'd');
            }
        }
    }

    @Test
    void idleConnectionsAreClosedAfterIdleTimeout() throws Exception {
        try (TestBackend echo = TestBackend.echo();
             Replica replica = Replica.start(TestConfigs.replica(
                     TestConfigs.withLimits(TestConfigs.vip("web", echo), 100, 300)), Replica.Options.defaults());
             Socket client = Clients.connect(replica.vipAddress("web"))) {
            long start = System.nanoTime();
            Clients.assertEchoes(client, 'x');
            assertClosedByPeer(client);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(250);
            await().atMost(Duration.ofSeconds(10)).until(() -> replica.admin().vips().get(0).activeConnections() == 0);
        }
    }

    /** The peer closed: a read ends (EOF or reset) well before the socket timeout. */
    private static void assertClosedByPeer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            assertThat(in.read()).isEqualTo(-1);
        } catch (SocketException reset) {
            assertThat(reset.getMessage()).containsIgnoringCase("reset");
        }
    }
}
