package dev.halb.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.config.BindAddress;
import dev.halb.core.config.DnsConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.PeersConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.ShortConnectionLoad;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRecordEncoder;
import io.netty.handler.codec.dns.DnsRecordType;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How many DNS queries one replica answers while it also proxies, and what that costs the
 * proxy's connection rate: short echo connections alone, UDP queries alone, then both at once,
 * {@value #SECONDS} s each. The load client keeps {@value #WINDOW} queries in flight per thread
 * over a plain {@link DatagramSocket}, each query encoded once up front (Netty's encoder).
 *
 * <pre>
 * mvn -B -q -o -pl lb-discovery,lb-core -am -Dhalb.measure=true \
 *     -Dtest='dev.halb.core.dns.DnsThroughputMeasurementTest' -Dsurefire.failIfNoSpecifiedTests=false test
 * </pre>
 */
@EnabledIfSystemProperty(named = "halb.measure", matches = "true")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DnsThroughputMeasurementTest {

    static final int SECONDS = 5;
    static final int WINDOW = 32;
    static final int DNS_THREADS = 2;
    static final int CONNECTION_THREADS = 4;

    @Test
    void queriesPerSecondWhileProxying() throws Exception {
        try (TestBackend echo = TestBackend.echo()) {
            HalbConfig config = TestConfigs.replica(TestConfigs.vip("web", echo)).withDnsAndPeers(
                    new DnsConfig(new BindAddress("127.0.0.1", 0), "halb.internal", 5), PeersConfig.DEFAULT);
            try (Replica replica = Replica.start(config, Replica.Options.defaults())) {
                InetSocketAddress vip = replica.vipAddress("web");
                InetSocketAddress dns = replica.dnsAddress();
                byte[] query = encodedQuery();

                double connectionsAlone = connectionRate(vip);
                double queriesAlone = queryRate(dns, query, null);
                double[] both = new double[2];
                try (ShortConnectionLoad load = ShortConnectionLoad.start(vip, ShortConnectionLoad.echo(),
                        CONNECTION_THREADS, Long.MAX_VALUE)) {
                    both[1] = queryRate(dns, query, () -> load.succeeded());
                    both[0] = lastConnectionRate;
                    assertThat(load.failed()).isZero();
                }
                String figures = String.format(
                        "proxy alone: %.0f connections/s; DNS alone: %.0f queries/s; together: %.0f queries/s "
                                + "and %.0f connections/s (%.0f%% of alone); transport %s%n",
                        connectionsAlone, queriesAlone, both[1], both[0], 100 * both[0] / connectionsAlone,
                        replica.transport().label());
                System.out.print(figures);
                java.nio.file.Files.writeString(java.nio.file.Path.of("target", "dns-throughput.txt"), figures);
                assertThat(queriesAlone).isPositive();
            }
        }
    }

    private volatile double lastConnectionRate;

    private static byte[] encodedQuery() throws Exception {
        ByteBuf buf = Unpooled.buffer();
        buf.writeShort(0).writeShort(0).writeShort(1).writeShort(0).writeShort(0).writeShort(0);
        DnsRecordEncoder.DEFAULT.encodeQuestion(new DefaultDnsQuestion("web.halb.internal.", DnsRecordType.A), buf);
        return ByteBufUtil.getBytes(buf);
    }

    private static double connectionRate(InetSocketAddress vip) throws InterruptedException {
        try (ShortConnectionLoad load = ShortConnectionLoad.start(vip, ShortConnectionLoad.echo(),
                CONNECTION_THREADS, Long.MAX_VALUE)) {
            Thread.sleep(1_000); // warm-up
            long before = load.succeeded();
            Thread.sleep(SECONDS * 1_000L);
            return (load.succeeded() - before) / (double) SECONDS;
        }
    }

    /** Answers per second over {@value #SECONDS} s; with {@code connections}, also notes their rate. */
    private double queryRate(InetSocketAddress dns, byte[] query, java.util.function.LongSupplier connections)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder answered = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < DNS_THREADS; t++) {
            Thread thread = new Thread(() -> blast(dns, query, stop, answered), "dns-load-" + t);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        Thread.sleep(1_000); // warm-up
        long before = answered.sum();
        long connectionsBefore = connections == null ? 0 : connections.getAsLong();
        Thread.sleep(SECONDS * 1_000L);
        long queries = answered.sum() - before;
        if (connections != null) {
            lastConnectionRate = (connections.getAsLong() - connectionsBefore) / (double) SECONDS;
        }
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(5_000);
        }
        return queries / (double) SECONDS;
    }

    /** Keeps {@link #WINDOW} queries in flight; a lost one is replaced after a 200 ms receive timeout. */
    private static void blast(InetSocketAddress dns, byte[] query, AtomicBoolean stop, LongAdder answered) {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(200);
            socket.setReceiveBufferSize(1 << 20);
            DatagramPacket out = new DatagramPacket(query, query.length, dns);
            byte[] buf = new byte[1500];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            for (int i = 0; i < WINDOW; i++) {
                socket.send(out);
            }
            while (!stop.get()) {
                try {
                    socket.receive(in);
                    answered.increment();
                } catch (SocketTimeoutException e) {
                    for (int i = 0; i < WINDOW; i++) {
                        socket.send(out); // refill what was lost
                    }
                    continue;
                }
                socket.send(out);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
