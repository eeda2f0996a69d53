package dev.halb.discovery.zookeeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process, single-node ZooKeeper for {@code connect: embedded} and {@code halb demo}: one
 * machine, no ensemble, nothing to install.
 *
 * <p>It is ZooKeeper's own {@link ZooKeeperServerEmbedded}, bound to 127.0.0.1 only (never
 * reachable from other hosts), with its data in a fresh temporary directory that {@link #close()}
 * deletes: an embedded ZooKeeper forgets everything when the replica stops. ZooKeeper's admin
 * HTTP server is off. A fatal server error is logged, never a {@code System.exit}.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    /** ZooKeeper's tick; sessions may last 2 to 20 ticks (4 s to 40 s). */
    static final int TICK_TIME_MS = 2_000;
    private static final long START_TIMEOUT_MS = 15_000;
    private static final long CLOSE_AFTER_FAILURE_MS = 5_000;
    private static final String LOOPBACK = "127.0.0.1";

    private final ZooKeeperServerEmbedded server;
    private final Path baseDir;
    private final String connectString;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedZooKeeper(ZooKeeperServerEmbedded server, Path baseDir, String connectString) {
        this.server = server;
        this.baseDir = baseDir;
        this.connectString = connectString;
    }

    /** Starts on a free port of 127.0.0.1. */
    public static EmbeddedZooKeeper start() throws IOException {
        return start(0);
    }

    /**
     * Starts on {@code port} of 127.0.0.1 (0 = a free one).
     *
     * @throws IOException naming the port when the server cannot start (the port is taken, say)
     */
    public static EmbeddedZooKeeper start(int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        if (port != 0) {
            // ZooKeeper reports a taken port only in its log and then waits out the start timeout.
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(LOOPBACK, port));
            } catch (IOException e) {
                throw new IOException("cannot start embedded ZooKeeper on " + LOOPBACK + ":" + port + ": "
                        + (e instanceof BindException ? "address already in use" : e.getMessage()), e);
            }
        }
        Path baseDir = Files.createTempDirectory("halb-zookeeper-");
        Properties p = new Properties();
        p.setProperty("clientPort", Integer.toString(port));
        p.setProperty("clientPortAddress", LOOPBACK);
        p.setProperty("dataDir", baseDir.resolve("data").toString());
        p.setProperty("tickTime", Integer.toString(TICK_TIME_MS));
        // Read as the system property zookeeper.admin.enableServer: no Jetty admin port on 8080.
        p.setProperty("admin.enableServer", "false");
        ZooKeeperServerEmbedded server = null;
        try {
            server = ZooKeeperServerEmbedded.builder()
                    .baseDir(baseDir)
                    .configuration(p)
                    .exitHandler(ExitHandler.LOG_ONLY)
                    .build();
            server.start(START_TIMEOUT_MS);
            String connect = server.getConnectionString();
            log.info("embedded ZooKeeper listening on {} (data in {}, deleted on close)", connect, baseDir);
            return new EmbeddedZooKeeper(server, baseDir, connect);
        } catch (Exception e) {
            if (server != null) {
                closeBounded(server);
            }
            deleteQuietly(baseDir);
            throw new IOException("cannot start embedded ZooKeeper on " + LOOPBACK + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** {@code 127.0.0.1:<port>}. */
    public String connectString() {
        return connectString;
    }

    public int port() {
        return Integer.parseInt(connectString.substring(connectString.lastIndexOf(':') + 1));
    }

    /** Where the data lives until {@link #close()}. */
    Path dataDirectory() {
        return baseDir;
    }

    /** Stops the server and deletes its data. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.close();
            deleteQuietly(baseDir);
        }
    }

    /**
     * Closes a server whose start failed. ZooKeeper's close then waits for an accept thread that
     * may never end, so it runs on a daemon thread and is abandoned after a while.
     */
    private static void closeBounded(ZooKeeperServerEmbedded server) {
        Thread closer = new Thread(server::close, "halb-zookeeper-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(CLOSE_AFTER_FAILURE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.warn("cannot delete embedded ZooKeeper data {}: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedZooKeeper[" + connectString + "]";
    }
}
