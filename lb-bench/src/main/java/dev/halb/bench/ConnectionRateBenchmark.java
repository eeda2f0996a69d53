package dev.halb.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
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
 * Connection rate through an in-process halb: connect, send a 64-byte request, read the 64-byte
 * reply from an echo backend, close. Operations per second are connections per second.
 *
 * <pre>
 * java -jar lb-bench/target/benchmarks.jar ConnectionRateBenchmark -prof gc
 * </pre>
 * {@code gc.alloc.rate.norm} counts every thread of the JVM, so it includes the blocking
 * client's own sockets; compare runs, not absolute figures.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// Netty's direct buffers as the jar runs them: java.nio opened, as its manifest does (see halb's Main).
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true"})
public class ConnectionRateBenchmark {

    @State(Scope.Benchmark)
    public static class Servers {
        BenchServers servers;
        InetSocketAddress vip;

        @Setup(Level.Trial)
        public void start() throws Exception {
            servers = new BenchServers(BenchServers.Backend.ECHO);
            vip = servers.vip();
        }

        @TearDown(Level.Trial)
        public void stop() {
            servers.close();
        }
    }

    @State(Scope.Thread)
    public static class Buffers {
        final byte[] request = new byte[64];
        final byte[] reply = new byte[64];
    }

    @Benchmark
    @Threads(4)
    public int connectRequestReplyClose(Servers s, Buffers b) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(s.vip);
            socket.getOutputStream().write(b.request);
            InputStream in = socket.getInputStream();
            return BenchServers.readFully(in, b.reply, b.reply.length);
        }
    }
}
