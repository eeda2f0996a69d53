package dev.halb.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.config.AdminConfig;
import dev.halb.core.config.BindAddress;
import dev.halb.core.proxy.Transport;
import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An admin server on 127.0.0.1 with a stub model and the limits a test asks for, and raw
 * sockets to it, so that a test controls every byte (an HTTP client would pool, retry and
 * complete requests). After each test it closes the sockets, checks that the server's count of
 * open connections returns to 0, and stops the server. Use with {@code @RegisterExtension}.
 */
final class AdminFixture implements AfterEachCallback {

    /** Long enough for a loaded machine, short enough that a hang fails the test. */
    static final int READ_TIMEOUT_MS = 10_000;

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private EventLoopGroup group;
    private AdminServer server;

    /** Starts the server; at most once per test. */
    AdminServer start(long requestTimeoutMs, long idleTimeoutMs, int maxConnections) throws Exception {
        assertThat(server).as("one server per test").isNull();
        group = Transport.select().newGroup(1, "admin-test");
        server = new AdminServer(new AdminConfig(new BindAddress("127.0.0.1", 0), "secret"), new StubModel(),
                group, Transport.select(), requestTimeoutMs, idleTimeoutMs, maxConnections);
        server.start();
        return server;
    }

    AdminServer server() {
        return server;
    }

    /** A connection to the server, closed after the test. */
    Socket connect() {
        try {
            Socket s = new Socket();
            sockets.add(s);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            s.connect(server.localAddress(), 5_000);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + server.localAddress(), e);
        }
    }

    /** A connection that has sent {@code bytes}. */
    Socket send(String bytes) throws IOException {
        Socket s = connect();
        write(s, bytes);
        return s;
    }

    static void write(Socket s, String bytes) throws IOException {
        s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** {@code request} on a new connection, and the answer. */
    Reply exchange(String request) throws IOException {
        return read(send(request));
    }

    /** The status of {@code GET /health} on a new connection; -1 when it was closed unanswered. */
    int health() {
        try {
            Socket s = send("GET /health HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");
            Reply r = read(s);
            s.close();
            return r.status();
        } catch (EOFException | SocketException e) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One response: status line, headers, and a body of its Content-Length. */
    record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static Reply read(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("body: " + body.length + " of " + length + " bytes");
        }
        return new Reply(Integer.parseInt(statusLine[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Reads up to and including the empty line that ends the headers, one byte at a time. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed after " + out.size() + " bytes of a response: " + out);
            }
            out.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Asserts that the server closed {@code s}: its next read ends the stream (or finds a
     * reset). Waits up to {@link #READ_TIMEOUT_MS}, then fails with a read timeout.
     */
    static void assertClosedByServer(Socket s) throws IOException {
        int b;
        try {
            b = s.getInputStream().read();
        } catch (SocketException e) {
            return; // reset
        }
        assertThat(b).as("a byte after the end of what the server had to say").isEqualTo(-1);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        sockets.clear();
        if (server == null) {
            return;
        }
        try {
            await("admin connections open after the test").atMost(Duration.ofSeconds(10))
                    .until(server::openConnections, n -> n == 0);
        } finally {
            server.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            server = null;
        }
    }

    /** Serving, nothing configured: enough for {@code /health} and the errors. */
    private static final class StubModel implements AdminModel {

        @Override
        public boolean draining() {
            return false;
        }

        @Override
        public List<String> unboundVips() {
            return List.of();
        }

        @Override
        public String metrics() {
            return "";
        }

        @Override
        public String metricsContentType() {
            return "text/plain; version=0.0.4";
        }

        @Override
        public StatusView status() {
            return new StatusView("stub", "", "", "test", "nio", "", 0, "serving", "static", 0, "", null, null);
        }

        @Override
        public List<VipView> vips() {
            return List.of();
        }

        @Override
        public List<ReplicaView> replicas() {
            return List.of();
        }

        @Override
        public DrainOutcome setDrained(String vip, String backendId, boolean drained) {
            return DrainOutcome.UNKNOWN_VIP;
        }
    }
}
