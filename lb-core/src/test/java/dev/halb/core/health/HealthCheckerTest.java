package dev.halb.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.HealthCheckType;
import dev.halb.core.proxy.Transport;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HealthCheckedBackend;
import dev.halb.core.testing.TestBackend;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** tcp and http checks against real backends on loopback, on every transport. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthCheckerTest {

    private static final int TIMEOUT_MS = 300;

    /** What one check said, where it ran and how long it took. */
    private record Outcome(boolean healthy, String detail, boolean onLoop, long millis) {
    }

    private static Outcome check(Transport transport, HealthCheckConfig config, InetSocketAddress target)
            throws Exception {
        EventLoopGroup group = transport.newGroup(1, "test-health");
        try {
            EventLoop loop = group.next();
            HealthChecker checker = HealthChecker.create(config, loop, transport.channelClass());
            CompletableFuture<Outcome> result = new CompletableFuture<>();
            long start = System.nanoTime();
            loop.execute(() -> checker.check(target, "127.0.0.1:" + target.getPort(), new HealthChecker.Result() {
                @Override
                public void completed(boolean healthy, String detail) {
                    result.complete(new Outcome(healthy, detail, loop.inEventLoop(),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
                }

                @Override
                public void skipped(String detail) {
                    result.completeExceptionally(new AssertionError("check skipped: " + detail));
                }
            }));
            Outcome o = result.get(10, TimeUnit.SECONDS);
            assertThat(o.onLoop()).as("completed on the checker's event loop").isTrue();
            assertThat(o.millis()).as("within the timeout and some slack").isLessThan(TIMEOUT_MS + 2_000);
            return o;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static HealthCheckConfig tcp() {
        return new HealthCheckConfig(HealthCheckType.TCP, "/health", 0, 1000, TIMEOUT_MS, 2, 2);
    }

    private static HealthCheckConfig http() {
        return new HealthCheckConfig(HealthCheckType.HTTP, "/health", 0, 1000, TIMEOUT_MS, 2, 2);
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void tcpPassesWhenTheConnectSucceeds(Transport transport) throws Exception {
        try (TestBackend b = TestBackend.echo()) {
            Outcome o = check(transport, tcp(), local(b.port()));
            assertThat(o.healthy()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void tcpFailsOnARefusedConnect(Transport transport) throws Exception {
        Outcome o = check(transport, tcp(), local(FreePorts.next()));
        assertThat(o.healthy()).isFalse();
        assertThat(o.detail()).isEqualTo("connection refused");
    }

    /** A listener whose accept queue is full drops new SYNs: the connect hangs until the timeout. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void tcpFailsWhenTheConnectHangs(Transport transport) throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 4; i++) {
                Socket s = new Socket();
                fillers.add(s);
                try {
                    s.connect(full.getLocalSocketAddress(), 200);
                } catch (java.io.IOException e) {
                    break; // the queue is full
                }
            }
            Outcome o = check(transport, tcp(), local(full.getLocalPort()));
            assertThat(o.healthy()).isFalse();
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void httpPassesOn2xxAndSendsPathHostAndUserAgent(Transport transport) throws Exception {
        try (HealthCheckedBackend b = HealthCheckedBackend.start("a", "/health")) {
            Outcome ok = check(transport, http(), local(b.port()));
            assertThat(ok.healthy()).isTrue();
            assertThat(ok.detail()).isEqualTo("HTTP 200");
            assertThat(b.healthRequests()).isEqualTo(1);
            assertThat(b.trafficRequests()).isZero();
            assertThat(b.lastHealthHost()).isEqualTo("127.0.0.1:" + b.port());
            assertThat(b.lastHealthUserAgent()).isEqualTo(HttpHealthChecker.USER_AGENT);
            b.setHealthStatus(204);
            assertThat(check(transport, http(), local(b.port())).healthy()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void httpFailsOnAnythingBut2xx(Transport transport) throws Exception {
        try (HealthCheckedBackend b = HealthCheckedBackend.start("a", "/health")) {
            for (int status : new int[] {500, 503, 404, 301}) {
                b.setHealthStatus(status);
                Outcome o = check(transport, http(), local(b.port()));
                assertThat(o.healthy()).as("status %s", status).isFalse();
                assertThat(o.detail()).isEqualTo("HTTP " + status);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void httpFailsWhenNoAnswerComesWithinTheTimeout(Transport transport) throws Exception {
        try (HealthCheckedBackend b = HealthCheckedBackend.start("a", "/health")) {
            b.hangHealth();
            Outcome o = check(transport, http(), local(b.port()));
            assertThat(o.healthy()).isFalse();
            assertThat(o.detail()).contains("no answer within " + TIMEOUT_MS + " ms");
            assertThat(o.millis()).isGreaterThanOrEqualTo(TIMEOUT_MS - 10);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void httpFailsOnARefusedConnectAndOnSomethingThatIsNotHttp(Transport transport) throws Exception {
        assertThat(check(transport, http(), local(FreePorts.next())).healthy()).isFalse();
        try (TestBackend echo = TestBackend.echo()) {
            // an echo answers "GET /health HTTP/1.1": not a status line
            Outcome o = check(transport, http(), local(echo.port()));
            assertThat(o.healthy()).isFalse();
        }
    }
}
