package dev.halb.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client threads that each open short connections in a loop against one address, as a busy
 * service's clients do, and count every connection that did not get its whole answer.
 *
 * <p>Each connection: connect, send one small request, read the whole expected answer, close
 * (with a reset, so that tens of thousands of connections leave no {@code TIME_WAIT} behind).
 * Any exception, early end of stream or wrong byte is a failure. The loop is bounded: it stops
 * on {@link #close()} or after {@code maxConnectionsPerThread}, whichever comes first.
 */
public final class ShortConnectionLoad implements AutoCloseable {

    /** What one connection sends and expects back. */
    public interface Exchange {
        byte[] request(long n);

        /** The answer expected to {@code request(n)}, read to its length (or to the end of stream when null). */
        byte[] expected(long n);
    }

    /** An echo exchange: expects back exactly what it sent. */
    public static Exchange echo() {
        return new Exchange() {
            @Override
            public byte[] request(long n) {
                return ("ping " + n + "\n").getBytes(StandardCharsets.US_ASCII);
            }

            @Override
            public byte[] expected(long n) {
                return request(n);
            }
        };
    }

    /**
     * One HTTP/1.1 {@code GET path} with {@code Connection: close}; a success is a complete
     * response whose status line is {@code 200}.
     */
    public static Exchange httpGet(String path) {
        return new Exchange() {
            @Override
            public byte[] request(long n) {
                return ("GET " + path + " HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }

            @Override
            public byte[] expected(long n) {
                return null;
            }
        };
    }

    private final InetSocketAddress address;
    private final Exchange exchange;
    private final long maxConnectionsPerThread;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;

    private ShortConnectionLoad(InetSocketAddress address, Exchange exchange, int threadCount,
                                long maxConnectionsPerThread) {
        this.address = address;
        this.exchange = exchange;
        this.maxConnectionsPerThread = maxConnectionsPerThread;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::loop, "load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    public static ShortConnectionLoad start(InetSocketAddress address, Exchange exchange, int threads,
                                            long maxConnectionsPerThread) {
        ShortConnectionLoad load = new ShortConnectionLoad(address, exchange, threads, maxConnectionsPerThread);
        load.threads.forEach(Thread::start);
        return load;
    }

    private void loop() {
        for (long i = 0; i < maxConnectionsPerThread && !stopped; i++) {
            long n = sequence.incrementAndGet();
            String problem = once(n);
            if (problem == null) {
                succeeded.incrementAndGet();
            } else {
                failed.incrementAndGet();
                if (failures.size() < 20) {
                    failures.add(problem);
                }
            }
        }
    }

    private String once(long n) {
        byte[] request = exchange.request(n);
        byte[] expected = exchange.expected(n);
        try (Socket s = new Socket()) {
            s.setSoTimeout(Clients.SO_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            s.connect(address, 5_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            if (expected != null) {
                byte[] got = Clients.readExactly(in, expected.length);
                if (!java.util.Arrays.equals(got, expected)) {
                    return "connection " + n + ": wrong answer '" + new String(got, StandardCharsets.US_ASCII) + "'";
                }
            } else {
                String response = new String(Clients.readToEnd(in), StandardCharsets.US_ASCII);
                if (!response.startsWith("HTTP/1.1 200 ")) {
                    return "connection " + n + ": unexpected response '" + response + "'";
                }
            }
            s.setSoLinger(true, 0);
            return null;
        } catch (IOException e) {
            return "connection " + n + ": " + e;
        }
    }

    public long succeeded() {
        return succeeded.get();
    }

    public long failed() {
        return failed.get();
    }

    /** The first few failures, each saying which connection and what went wrong. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops the threads after their current connection and waits for them. Idempotent. */
    @Override
    public void close() {
        stopped = true;
        try {
            for (Thread t : threads) {
                t.join(Clients.SO_TIMEOUT_MS + 5_000L);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
