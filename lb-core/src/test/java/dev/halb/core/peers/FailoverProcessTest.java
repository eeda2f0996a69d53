package dev.halb.core.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.testing.Clients;
import dev.halb.core.testing.DnsClient;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HalbProcess;
import dev.halb.core.testing.TestBackend;
import dev.halb.discovery.testing.ZooKeeperServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replica processes ({@code halb run}, real child JVMs) on 127.0.0.1, 127.0.0.2 and
 * 127.0.0.3, one VIP port, one ZooKeeper, DNS on each. The replica on 127.0.0.3 is SIGKILLed
 * under client load, then SIGTERMed, {@value #RUNS} times each (a fresh replica takes its place
 * after each run): the survivors drop it from their answers, and clients that resolve the name
 * and try the addresses in order lose no connection that started after the kill.
 *
 * <p>The times are printed (and written to {@code target/failover-figures.txt}) for the README,
 * not asserted: only the generous bounds of the awaits are. {@code -Dhalb.failover.runs=N} sets
 * the number of runs of each (3 by default, to keep the build short).
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class FailoverProcessTest {

    static final int RUNS = Integer.getInteger("halb.failover.runs", 3);
    static final long PROBE_INTERVAL_MS = 500;
    static final long PROBE_TIMEOUT_MS = 250;
    static final int UNHEALTHY_THRESHOLD = 2;
    static final long DRAIN_DELAY_MS = 3_000;
    static final String NAME = "web.halb.internal";

    @RegisterExtension
    final ZooKeeperServerExtension zk = new ZooKeeperServerExtension();

    @TempDir
    Path dir;

    private final int vipPort = FreePorts.next();
    private final int adminPort = FreePorts.next();
    private final int dnsPort = FreePorts.next();
    private final List<HalbProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        processes.forEach(HalbProcess::close);
    }

    private HalbProcess replica(int n, String id, int backendPort) throws IOException {
        String host = "127.0.0." + n;
        Path config = Files.writeString(dir.resolve(id + ".yaml"), """
                replica: { id: %s }
                discovery:
                  zookeeper: { connect: "%s", sessionTimeoutMs: 10000, connectionTimeoutMs: 3000 }
                admin: { bind: "%s:%d" }
                dns: { bind: "%s:%d", domain: halb.internal, ttlSeconds: 1 }
                peers: { probeIntervalMs: %d, timeoutMs: %d, unhealthyThreshold: %d }
                vips:
                  - name: web
                    bind: "%s:%d"
                    healthCheck: { type: none }
                    backends: [ { address: 127.0.0.1, port: %d } ]
                drain: { delayMs: %d, timeoutMs: 10000 }
                """.formatted(id, zk.connectString(), host, adminPort, host, dnsPort, PROBE_INTERVAL_MS,
                PROBE_TIMEOUT_MS, UNHEALTHY_THRESHOLD, host, vipPort, backendPort, DRAIN_DELAY_MS));
        HalbProcess p = HalbProcess.start(dir, List.of("-Xmx160m", "-XX:+UseSerialGC"), "run", "--config",
                config.toString());
        processes.add(p);
        return p;
    }

    private InetSocketAddress dns(int n) {
        return new InetSocketAddress("127.0.0." + n, dnsPort);
    }

    private static List<String> answer(DnsClient client) {
        try {
            return client.resolve(NAME);
        } catch (Exception e) {
            return List.of("error: " + e);
        }
    }

    @Test
    void aKilledOrTerminatedReplicaLeavesTheSurvivorsAnswersAndClientsLoseNothing() throws Exception {
        long[] killToOut = new long[RUNS];
        long[] termToOut = new long[RUNS];
        long[] lost = new long[RUNS];
        long[] served = new long[RUNS];
        try (TestBackend echo = TestBackend.echo();
             DnsClient dns1 = DnsClient.udp(dns(1));
             DnsClient dns2 = DnsClient.udp(dns(2))) {
            replica(1, "r1", echo.port());
            replica(2, "r2", echo.port());
            HalbProcess third = replica(3, "r3-0", echo.port());
            awaitAllThree(dns1, dns2, third);

            for (int run = 0; run < RUNS; run++) {
                try (FailoverClients clients = new FailoverClients(dns1, vipPort, 2)) {
                    clients.awaitServed(50);
                    long killed = System.nanoTime();
                    clients.markKill(killed);
                    third.kill();
                    killToOut[run] = awaitOut(dns1, dns2, killed, Duration.ofSeconds(30), third);
                    clients.awaitServedAfterKill(100);
                    clients.stop();
                    lost[run] = clients.lostAfterKill();
                    served[run] = clients.servedAfterKill();
                    assertThat(clients.lostAfterKill()).as("connections started after the kill and lost")
                            .isZero();
                }
                third = replica(3, "r3-k" + run, echo.port());
                awaitAllThree(dns1, dns2, third);
            }

            InetSocketAddress thirdVip = new InetSocketAddress("127.0.0.3", vipPort);
            for (int run = 0; run < RUNS; run++) {
                try (Socket open = Clients.connect(thirdVip)) {
                    assertEchoes(open, 'a');
                    long terminated = System.nanoTime();
                    third.terminate();
                    termToOut[run] = awaitOut(dns1, dns2, terminated, Duration.ofSeconds(20), third);
                    // Out of the answers, yet still accepting for drain.delayMs: late clients are served.
                    // Checked only with 2 s of the delay left, so that on a loaded machine the client
                    // is accepted before the listeners close (a client still in the kernel's accept
                    // queue then is reset, as with any listener that closes).
                    long sinceTerm = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated);
                    if (sinceTerm < DRAIN_DELAY_MS - 2_000) {
                        HalbProcess draining = third;
                        assertThat(exchangeError(thirdVip, 1))
                                .as(() -> "accepts while draining, " + sinceTerm + " ms after SIGTERM\n"
                                        + draining.output())
                                .isEmpty();
                    }
                    assertEchoes(open, 'b'); // and the open connection keeps going
                }
                assertThat(third.waitFor(30)).as(third.output()).isEqualTo(0);
                third = replica(3, "r3-t" + run, echo.port());
                awaitAllThree(dns1, dns2, third);
            }
        }
        String figures = "SIGKILL to out of every survivor's answers (ms): " + stats(killToOut) + "\n"
                + "SIGTERM to out of the answers (ms): " + stats(termToOut) + "\n"
                + "connections started after the kill and lost: " + stats(lost) + " (of " + stats(served)
                + " served after the kill per run)\n"
                + "bound probeIntervalMs * unhealthyThreshold + timeoutMs = "
                + (PROBE_INTERVAL_MS * UNHEALTHY_THRESHOLD + PROBE_TIMEOUT_MS) + " ms; runs: " + RUNS + "\n";
        System.out.println(figures);
        Files.writeString(Path.of("target", "failover-figures.txt"), figures);
    }

    private void awaitAllThree(DnsClient dns1, DnsClient dns2, HalbProcess third) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(third.isAlive()).as(third.output()).isTrue();
            assertThat(answer(dns1)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2", "127.0.0.3");
            assertThat(answer(dns2)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2", "127.0.0.3");
        });
        try (DnsClient dns3 = DnsClient.udp(dns(3))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> answer(dns3).size() == 3);
        }
    }

    /** Milliseconds from {@code since} until neither survivor answers 127.0.0.3. */
    private static long awaitOut(DnsClient dns1, DnsClient dns2, long since, Duration atMost, HalbProcess gone) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> a1 = answer(dns1);
            List<String> a2 = answer(dns2);
            if (!a1.contains("127.0.0.3") && !a2.contains("127.0.0.3") && a1.size() == 2 && a2.size() == 2) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
            }
            sleep(10);
        }
        throw new AssertionError("127.0.0.3 still in the answers after " + atMost + ": " + answer(dns1) + ", "
                + answer(dns2) + "\n" + gone.output());
    }

    private static void assertEchoes(Socket s, char c) throws IOException {
        s.getOutputStream().write(c);
        s.getOutputStream().flush();
        assertThat(s.getInputStream().read()).isEqualTo(c);
    }

    static String stats(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        long median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        return "median " + median + ", min " + sorted[0] + ", max " + sorted[sorted.length - 1];
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One echo exchange on a new connection; false when the connect or the exchange fails. */
    static boolean exchange(InetSocketAddress vip, long n) {
        return exchangeError(vip, n).isEmpty();
    }

    /** One echo exchange on a new connection: "" when it worked, else what went wrong and when. */
    static String exchangeError(InetSocketAddress vip, long n) {
        byte[] ping = ("ping " + n + "\n").getBytes(StandardCharsets.US_ASCII);
        long start = System.nanoTime();
        boolean connected = false;
        try (Socket s = new Socket()) {
            s.connect(vip, 1_000);
            connected = true;
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(ping);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] back = in.readNBytes(ping.length);
            if (back.length < ping.length) {
                return "echoed " + back.length + " of " + ping.length + " bytes, then end of stream";
            }
            return Arrays.equals(back, ping) ? ""
                    : "echoed other bytes: " + new String(back, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return (connected ? "exchange failed: " : "connect failed: ") + e + " after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
        }
    }

    /**
     * Client threads that each, in a bounded loop: resolve the name, try the addresses in the
     * order given (the next one after a failed connect or exchange), and count a connection lost
     * when every address failed. Only connections started after the kill count as lost.
     */
    static final class FailoverClients implements AutoCloseable {
        private static final int MAX_PER_THREAD = 200_000;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong served = new AtomicLong();
        private final AtomicLong servedAfterKill = new AtomicLong();
        private final AtomicLong lostAfterKill = new AtomicLong();
        private volatile long killedAt = Long.MAX_VALUE;
        private final List<Thread> threads = new ArrayList<>();

        FailoverClients(DnsClient dns, int port, int threadCount) {
            for (int t = 0; t < threadCount; t++) {
                Thread thread = new Thread(() -> {
                    for (long n = 0; n < MAX_PER_THREAD && !stop.get(); n++) {
                        long started = System.nanoTime();
                        boolean ok = false;
                        for (String address : answer(dns)) {
                            if (!address.startsWith("127.")) {
                                continue;
                            }
                            if (exchange(new InetSocketAddress(address, port), n)) {
                                ok = true;
                                break;
                            }
                        }
                        boolean afterKill = started - killedAt > 0;
                        if (ok) {
                            served.incrementAndGet();
                            if (afterKill) {
                                servedAfterKill.incrementAndGet();
                            }
                        } else if (afterKill) {
                            lostAfterKill.incrementAndGet();
                        }
                    }
                }, "failover-client-" + t);
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
        }

        void markKill(long nanos) {
            killedAt = nanos;
        }

        void awaitServed(long n) {
            await().atMost(Duration.ofSeconds(30)).until(() -> served.get() >= n);
        }

        void awaitServedAfterKill(long n) {
            await().atMost(Duration.ofSeconds(30)).until(() -> servedAfterKill.get() >= n);
        }

        long lostAfterKill() {
            return lostAfterKill.get();
        }

        long servedAfterKill() {
            return servedAfterKill.get();
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(20_000);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
