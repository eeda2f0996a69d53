package dev.halb.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import dev.halb.core.config.BindAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The VIP's listening sockets: on epoll and io_uring one per event loop, sharing the address
 * with {@code SO_REUSEPORT}; on NIO one. Either way the address is the VIP's alone (a second
 * listener on it fails as in use), clients are served, the port is free once the VIP stops, and
 * backend sockets have Nagle's algorithm off (Netty's default for every socket, accepted ones
 * included, which halb no longer sets again per socket).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenerPerLoopTest {

    @ParameterizedTest
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void everyLoopListensAndTheAddressStaysTheVipsAlone(Transport transport) throws Exception {
        try (TestBackend echo = TestBackend.echo()) {
            VipConfig v = TestConfigs.vip("web", echo);
            try (Replica replica = Replica.start(TestConfigs.replica(v), new Replica.Options(transport, 2))) {
                checkListeners(transport, replica, v);
            }
        }
    }

    private static void checkListeners(Transport transport, Replica replica, VipConfig v) throws Exception {
        {
            InetSocketAddress vip = replica.vipAddress("web");
            int expected = transport == Transport.NIO ? 1 : 2;
            assertThat(listeningSockets(vip.getPort())).as("listening sockets on %s", vip).isEqualTo(expected);

            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    Socket s = Clients.connect(vip);
                    clients.add(s);
                    Clients.assertEchoes(s, (char) ('a' + i));
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }

            // A second replica on the same address is refused it, not given half the clients.
            VipConfig same = new VipConfig(v.name(), new BindAddress("127.0.0.1", vip.getPort()), v.service(), v.strategy(),
                    v.zoneAffinity(), v.regionFailover(), v.backends(), v.healthCheck(), v.outlierDetection(),
                    v.connectTimeoutMs(), v.connectRetries(), v.idleTimeoutMs(), v.finTimeoutMs(), v.maxConnections(),
                    v.proxyProtocol(), v.allowedBackendCidrs());
            assertThatThrownBy(() -> Replica.start(TestConfigs.replica(same), new Replica.Options(transport, 2)).close())
                    .hasMessageContaining("cannot bind VIP web").hasMessageContaining("address already in use");
            try (ServerSocket plain = new ServerSocket()) {
                assertThatThrownBy(() -> plain.bind(vip)).isInstanceOf(BindException.class);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> replica.admin().vips().get(0).activeConnections() == 0);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void backendSocketsHaveNagleOff(Transport transport) throws Exception {
        EventLoopGroup group = transport.newGroup(1, "nodelay");
        try (TestBackend echo = TestBackend.echo()) {
            BackendConnector connector = new BackendConnector(transport, 2000);
            Channel ch = group.next().submit(() -> connector.connect(group.next(), new InetSocketAddress("127.0.0.1",
                    echo.port()), new io.netty.channel.ChannelInboundHandlerAdapter())).get().sync().channel();
            try {
                assertThat(ch.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
            } finally {
                ch.close().syncUninterruptibly();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Sockets listening on {@code port} (any address), from the kernel's table. */
    private static long listeningSockets(int port) throws IOException {
        String hex = String.format(":%04X ", port);
        long n = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(p)) {
                // Columns: sl local_address rem_address st ...; state 0A is LISTEN.
                n += lines.skip(1).map(String::trim).map(l -> l.split("\\s+"))
                        .filter(f -> f.length > 3 && (f[1] + " ").endsWith(hex) && f[3].equals("0A")).count();
            }
        }
        return n;
    }
}
