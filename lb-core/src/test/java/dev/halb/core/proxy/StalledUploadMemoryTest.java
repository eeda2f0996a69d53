package dev.halb.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.testing.Clients;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HalbProcess;
import dev.halb.core.testing.ScriptedBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thirty clients upload into a backend that never reads, then reset: with the launcher's memory
 * settings the replica's RSS grows by less than its direct memory cap (64 MiB; reads pause at 60 %
 * of it), no allocation fails, and every backend connection is reset rather than left with its
 * queue.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StalledUploadMemoryTest {

    private static final int UPLOADS = 30;
    /** Growth besides the connections' buffers: the JIT compiling the relay path, the heap. */
    private static final long OTHER_GROWTH_KIB = 16 * 1024;

    @TempDir
    Path dir;

    @Test
    void resetUploadsIntoAStalledBackendStayWithinTheMemoryBound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        int adminPort = FreePorts.next();
        int vipPort = FreePorts.next();
        InetSocketAddress vip = new InetSocketAddress("127.0.0.1", vipPort);
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
        ExecutorService uploaders = Executors.newFixedThreadPool(UPLOADS);
        try (ScriptedBackend stalled = ScriptedBackend.start(s -> {
            release.await(120, TimeUnit.SECONDS); // never reads while the uploads run
            ScriptedBackend.readToEnd(s);
        })) {
            Path config = Files.writeString(dir.resolve("halb.yaml"), """
                    replica: { id: memory-test }
                    admin: { bind: 127.0.0.1:%d }
                    vips:
                      - name: web
                        bind: 127.0.0.1:%d
                        healthCheck: { type: none }
                        backends:
                          - { address: 127.0.0.1, port: %d }
                    """.formatted(adminPort, vipPort, stalled.port()));
            try (HalbProcess halb = HalbProcess.start(dir, HalbProcess.launcherOptions(), "run", "--config", config.toString())) {
                halb.awaitReady(admin);
                long startRss = rssKib(halb.pid());
                List<Socket> clients = new ArrayList<>();
                AtomicLong uploaded = new AtomicLong();
                for (int i = 0; i < UPLOADS; i++) {
                    Socket c = Clients.connect(vip);
                    clients.add(c);
                    uploaders.execute(() -> upload(c, uploaded));
                }
                long peakRss = 0;
                // Until the uploads stall (every buffer on the way is full), bounded in time.
                long last = -1;
                for (int i = 0; i < 100 && uploaded.get() != last; i++) {
                    last = uploaded.get();
                    Thread.sleep(300);
                    peakRss = Math.max(peakRss, rssKib(halb.pid()));
                }
                for (Socket c : clients) {
                    c.setSoLinger(true, 0);
                    c.close();
                }
                for (int i = 0; i < 10; i++) {
                    Thread.sleep(200);
                    peakRss = Math.max(peakRss, rssKib(halb.pid()));
                }
                // halb reset the backend sides at once: the stalled backend finds a reset behind its queue.
                release.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> stalled.finished() == UPLOADS);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(Clients.get(admin, "/api/v1/vips").body())
                                .contains("\"activeConnections\":0").doesNotContainPattern("\"activeConnections\":[1-9]"));
                assertThat(uploaded.get()).as("bytes the clients got into halb").isGreaterThan(UPLOADS * 256 * 1024L);
                System.out.printf("RSS %d KiB at start, peak %d KiB, %d bytes uploaded%n", startRss, peakRss,
                        uploaded.get());
                assertThat(peakRss).as("peak RSS (KiB), %d at start", startRss)
                        .isLessThan(startRss + HalbProcess.launcherMaxDirectMemory() / 1024 + OTHER_GROWTH_KIB);
                assertThat(halb.isAlive()).as(halb.output()).isTrue();
                assertThat(halb.output()).doesNotContain("OutOfMemoryError", "OutOfDirectMemoryError", "Cannot reserve");
            }
        } finally {
            uploaders.shutdownNow();
        }
    }

    private static void upload(Socket c, AtomicLong uploaded) {
        byte[] chunk = new byte[64 * 1024];
        try {
            for (int i = 0; i < 16 * 8; i++) { // at most 8 MiB each
                c.getOutputStream().write(chunk);
                uploaded.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            // stalled, then reset by the test
        }
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
