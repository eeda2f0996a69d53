package dev.halb.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Relay throughput through an in-process halb on loopback to a sink backend, with 1 and 16
 * client connections (one per benchmark thread). An operation writes one 64 KiB chunk; the
 * {@code bytes} counter is bytes per second through the proxy.
 *
 * <pre>
 * java -jar lb-bench/target/benchmarks.jar RelayBenchmark -prof gc
 * </pre>
 * {@code gc.alloc.rate.norm} is bytes allocated per 64 KiB relayed (the client's blocking writes
 * allocate nothing, so that is halb's).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// Netty's direct buffers as the jar runs them: java.nio opened, as its manifest does (see halb's Main).
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true"})
public class RelayBenchmark {

    static final int CHUNK = 64 * 1024;

    /** The replica and the sink, shared by every thread. */
    @State(Scope.Benchmark)
    public static class Servers {
        BenchServers servers;

        @Setup(Level.Trial)
        public void start() throws Exception {
            servers = new BenchServers(BenchServers.Backend.SINK);
        }

        @TearDown(Level.Trial)
        public void stop() {
            servers.close();
        }
    }

    /** One client connection per benchmark thread. */
    @State(Scope.Thread)
    public static class Connection {
        Socket socket;
        OutputStream out;
        final byte[] chunk = new byte[CHUNK];

        @Setup(Level.Trial)
        public void connect(Servers s) throws IOException {
            socket = new Socket(s.servers.vip().getAddress(), s.servers.vip().getPort());
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Bytes relayed, reported per second next to the operations. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;
    }

    @Benchmark
    @Threads(1)
    public void oneConnection(Servers s, Connection c, Bytes counter) throws IOException {
        c.out.write(c.chunk);
        counter.bytes += CHUNK;
    }

    @Benchmark
    @Threads(16)
    public void sixteenConnections(Servers s, Connection c, Bytes counter) throws IOException {
        c.out.write(c.chunk);
        counter.bytes += CHUNK;
    }
}
