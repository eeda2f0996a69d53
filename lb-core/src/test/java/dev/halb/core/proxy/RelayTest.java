package dev.halb.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.admin.BackendView;
import dev.halb.core.admin.VipView;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.Bytes;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Bytes through a VIP arrive intact, in order, with half-close passed through, on every transport. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayTest {

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() throws Exception {
        pool.shutdownNow();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private InetSocketAddress startVip(Transport transport, TestBackend... backends) throws Exception {
        for (TestBackend b : backends) {
            closeables.add(b);
        }
        Replica replica = Replica.start(TestConfigs.replica(TestConfigs.vip("web", backends)),
                Replica.Options.defaults().withTransport(transport));
        closeables.add(replica);
        return replica.vipAddress("web");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void sixtyFourClientsEchoOneMebibyteEachIntact(Transport transport) throws Exception {
        InetSocketAddress vip = startVip(transport, TestBackend.echo(), TestBackend.echo(), TestBackend.echo());
        List<byte[]> payloads = new ArrayList<>();
        List<Future<byte[]>> results = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] data = new byte[1024 * 1024];
            new Random(i).nextBytes(data);
            payloads.add(data);
            results.add(pool.submit(() -> Clients.roundTrip(vip, data, pool)));
        }
        for (int i = 0; i < 64; i++) {
            Bytes.assertSameBytes(results.get(i).get(60, TimeUnit.SECONDS), payloads.get(i), "client " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void backendSeesClientFinAndCanStillReply(Transport transport) throws Exception {
        InetSocketAddress vip = startVip(transport, TestBackend.echo());
        try (Socket s = Clients.connect(vip)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(Clients.readExactly(in, 4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            out.write("last words".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            // The echo backend replies after it saw our FIN, then sends its own FIN.
            assertThat(new String(Clients.readToEnd(in), StandardCharsets.US_ASCII)).isEqualTo("last words");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void twoHundredClientsThatWriteAndHalfCloseAtOnceGetEverythingBack(Transport transport) throws Exception {
        InetSocketAddress vip = startVip(transport, TestBackend.echo(), TestBackend.echo());
        List<Future<byte[]>> results = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] data = new byte[1024];
            new Random(1000 + i).nextBytes(data);
            payloads.add(data);
            results.add(pool.submit(() -> {
                try (Socket s = Clients.connect(vip)) {
                    // Right after connecting: 1 KiB and a FIN, before halb can have reached a backend.
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                    return Clients.readToEnd(s.getInputStream());
                }
            }));
        }
        for (int i = 0; i < 200; i++) {
            Bytes.assertSameBytes(results.get(i).get(60, TimeUnit.SECONDS), payloads.get(i), "client " + i);
        }
    }

    /**
     * A backend that sends 32 MiB and closes at once, to a client that reads in small steps: the
     * backend's FIN reaches halb while most of those bytes still wait in halb's queue to the client.
     * The FIN passed on, and the close, must wait for every one of them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void backendsFinAndCloseWaitForTheBytesQueuedBeforeThem(Transport transport) throws Exception {
        long size = 32L * 1024 * 1024;
        Replica replica = Replica.start(TestConfigs.replica(TestConfigs.vip("web", add(TestBackend.source(size)))),
                Replica.Options.defaults().withTransport(transport));
        closeables.add(replica);
        InetSocketAddress vip = replica.vipAddress("web");
        List<Future<Long>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(pool.submit(() -> {
                try (Socket s = new Socket()) {
                    s.setReceiveBufferSize(16 * 1024);
                    s.connect(vip, 5_000);
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    long total = 0;
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        total += n;
                    }
                    return total;
                }
            }));
        }
        for (Future<Long> r : results) {
            assertThat(r.get(60, TimeUnit.SECONDS)).as("bytes before the FIN").isEqualTo(size);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            VipView v = replica.admin().vips().get(0);
            assertThat(v.activeConnections()).as("open client connections").isZero();
            assertThat(v.backends()).extracting(BackendView::activeConnections).as("open backend connections")
                    .containsOnly(0);
        });
    }

    private TestBackend add(TestBackend b) {
        closeables.add(b);
        return b;
    }
}
