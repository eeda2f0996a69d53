package dev.halb.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.replica.Replica;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backend that sends 256 MiB to a client that reads slowly must not make halb buffer it: reads
 * from the backend pause while the client side is above its high water mark.
 *
 * <p>The test backend allocates unpooled buffers and the client is a plain socket, so the
 * default Netty allocator's usage is halb's alone.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BackpressureTest {

    private static final long TOTAL = 256L * 1024 * 1024;
    /** Far above the water marks (512 KiB per side) and far below what 256 MiB would need. */
    private static final long BOUND = 16L * 1024 * 1024;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void slowReaderDoesNotGrowProxyMemory(Transport transport) throws Exception {
        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        assertThat(allocator).isInstanceOf(ByteBufAllocatorMetricProvider.class);
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) allocator).metric();
        try (TestBackend source = TestBackend.source(TOTAL);
             Replica replica = Replica.start(TestConfigs.replica(TestConfigs.vip("bulk", source)),
                     Replica.Options.defaults().withTransport(transport));
             Socket client = Clients.connect(replica.vipAddress("bulk"))) {
            client.setReceiveBufferSize(64 * 1024);
            // The allocator is shared by every test in this JVM and keeps the chunks earlier tests
            // used: what this connection adds is measured from here.
            long before = metric.usedDirectMemory() + metric.usedHeapMemory();
            InputStream in = client.getInputStream();
            byte[] buf = new byte[16 * 1024];
            long received = 0;
            long peak = 0;
            long reads = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                received += n;
                if (++reads % 8 == 0) {
                    peak = Math.max(peak, metric.usedDirectMemory() + metric.usedHeapMemory());
                    // A slow reader: the backend can send far faster than this.
                    Thread.sleep(1);
                }
            }
            assertThat(received).isEqualTo(TOTAL);
            assertThat(peak - before).as("peak bytes held by halb's allocator beyond what it held before")
                    .isLessThan(BOUND);
        }
    }
}
