package dev.halb.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/** Blocking clients on loopback, with generous timeouts. */
public final class Clients {

    public static final int SO_TIMEOUT_MS = 30_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Clients() {
    }

    public static Socket connect(InetSocketAddress address) {
        try {
            Socket s = new Socket();
            s.setSoTimeout(SO_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            s.connect(address, 5_000);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + address, e);
        }
    }

    /**
     * Sends {@code data} (then a FIN) on one thread while reading everything back on this one, and
     * returns what came back before the server's FIN.
     */
    public static byte[] roundTrip(InetSocketAddress address, byte[] data, ExecutorService writers) throws Exception {
        try (Socket s = connect(address)) {
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < data.length; off += 16 * 1024) {
                        out.write(data, off, Math.min(16 * 1024, data.length - off));
                    }
                    out.flush();
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, writers);
            byte[] received = readToEnd(s.getInputStream());
            written.get();
            return received;
        }
    }

    public static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Reads exactly {@code n} bytes. */
    public static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(out, off, n - off);
            if (r < 0) {
                throw new IOException("EOF after " + off + " of " + n + " bytes");
            }
            off += r;
        }
        return out;
    }

    public static HttpResponse<String> get(InetSocketAddress admin, String path) {
        return send(HttpRequest.newBuilder(uri(admin, path)).GET());
    }

    public static HttpResponse<String> post(InetSocketAddress admin, String path, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(admin, path)).POST(HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return send(b);
    }

    public static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static URI uri(InetSocketAddress admin, String path) {
        return URI.create("http://" + admin.getAddress().getHostAddress() + ":" + admin.getPort() + path);
    }

    /** Whether a connect to {@code address} is refused now (nothing listens there). */
    public static boolean refused(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1000);
            return false;
        } catch (java.net.ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends {@code c} on an open connection to an echo backend and asserts it comes back. */
    public static void assertEchoes(Socket s, char c) throws IOException {
        s.setSoTimeout(5_000);
        s.getOutputStream().write(c);
        s.getOutputStream().flush();
        org.assertj.core.api.Assertions.assertThat(s.getInputStream().read()).isEqualTo(c);
    }
}
