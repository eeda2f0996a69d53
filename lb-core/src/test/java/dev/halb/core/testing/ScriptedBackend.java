package dev.halb.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on 127.0.0.1 written with plain blocking sockets, so that each test can script
 * exactly how a connection ends (a FIN, a reset with SO_LINGER 0, bytes after the peer's FIN),
 * independently of Netty. Every accepted socket runs the script on its own thread and is closed
 * after it; {@link #finished()} counts the connections whose script has ended.
 */
public final class ScriptedBackend implements AutoCloseable {

    /** What the backend does with one accepted connection; the socket is closed afterwards. */
    @FunctionalInterface
    public interface Script {
        void run(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-backend");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();

    private ScriptedBackend(Script script) throws IOException {
        server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                accepted.incrementAndGet();
                threads.execute(() -> {
                    try (s) {
                        s.setSoTimeout(Clients.SO_TIMEOUT_MS);
                        script.run(s);
                    } catch (Exception e) {
                        // A reset from halb ends a script early; that is what several tests make happen.
                    } finally {
                        finished.incrementAndGet();
                    }
                });
            }
        });
    }

    public static ScriptedBackend start(Script script) throws IOException {
        return new ScriptedBackend(script);
    }

    public int port() {
        return server.getLocalPort();
    }

    public int accepted() {
        return accepted.get();
    }

    public int finished() {
        return finished.get();
    }

    @Override
    public void close() throws Exception {
        server.close();
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Reads {@code n} bytes exactly. */
    public static byte[] read(Socket s, int n) throws IOException {
        return Clients.readExactly(s.getInputStream(), n);
    }

    /** Reads until the peer's FIN; true if it came as a FIN, false if the connection was reset. */
    public static boolean readToEnd(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[16 * 1024];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
            return true;
        } catch (SocketException e) {
            return false;
        }
    }

    /** Closes with a reset (SO_LINGER 0) instead of a FIN. */
    public static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }
}
