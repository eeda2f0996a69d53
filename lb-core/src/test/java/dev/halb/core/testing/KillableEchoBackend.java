package dev.halb.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A line echo backend on {@code 127.0.0.1} that can be killed under load the way an eviction test
 * needs: {@link #kill()} closes the listener and then every connection, but never in the middle
 * of a request. A request cut by its backend's death fails whatever the balancer does (nothing is
 * retried once bytes went to a backend); this backend makes sure every client failure a test sees
 * is one the balancer could have avoided.
 *
 * <p>To that end the kill runs on the backend's one selector thread: it accepts whatever the
 * kernel has queued (so no queued connection is reset by the close), closes the listener at once
 * (new connects are refused from then on), closes each connection as soon as it has answered a
 * whole line ({@code \n}) and has nothing left to write, and closes the rest after a short grace.
 * {@link TestBackend#close()} by contrast cuts connections wherever they are.
 *
 * <p>Plain {@code java.nio} on one thread, so that draining the accept queue and closing the
 * listener happen back to back. What no backend can avoid remains: a connection whose handshake
 * the kernel was still completing when the listener closed is reset by the kernel, after the
 * connecting side already saw it established and sent its request. {@link #answered()} lets a
 * test count those: every connection a balancer made to this backend and that got no answer.
 */
public final class KillableEchoBackend implements AutoCloseable {

    private static final long GRACE_MS = 500;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final int port;
    private final Thread thread;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final CountDownLatch listenerClosed = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean killing;
    private volatile boolean closing;
    /** The listener is closed and connections are being closed; selector thread only. */
    private boolean dying;
    private long killDeadline;

    /** What one connection still has to write, and whether it may be closed. */
    private static final class Conn {
        final ByteBuffer out = ByteBuffer.allocate(64 * 1024);
        boolean answeredLine;
        boolean peerDone;

        boolean idle() {
            return out.position() == 0;
        }
    }

    private KillableEchoBackend(int port) {
        try {
            selector = Selector.open();
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress("127.0.0.1", port), 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start echo backend on port " + port, e);
        }
        thread = new Thread(this::run, "killable-echo-" + this.port);
        thread.setDaemon(true);
        thread.start();
    }

    public static KillableEchoBackend start() {
        return new KillableEchoBackend(0);
    }

    public int port() {
        return port;
    }

    /** Connections accepted, health checks included. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections that got a whole line back (health checks send none). */
    public int answered() {
        return answered.get();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    /** Bytes of requests read: health checks send none. */
    public long bytesRead() {
        return bytesRead.get();
    }

    /**
     * Closes the listener (returning once it is closed: connects are refused from then on), then
     * every connection once it is between requests.
     */
    public void kill() throws InterruptedException {
        killing = true;
        selector.wakeup();
        if (!listenerClosed.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("echo backend on port " + port + " did not close its listener");
        }
    }

    /** Closes everything at once and stops the thread. Idempotent. */
    @Override
    public void close() {
        closing = true;
        selector.wakeup();
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!closing) {
                if (killing && !dying) {
                    drainAndCloseListener();
                    dying = true;
                    killDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MS);
                }
                selector.select(dying ? 10 : 0);
                for (SelectionKey key : new ArrayList<>(selector.selectedKeys())) {
                    selector.selectedKeys().remove(key);
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptAll();
                    } else {
                        serve(key);
                    }
                }
                if (dying) {
                    closeIdle(System.nanoTime() - killDeadline >= 0);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            closeAll();
            listenerClosed.countDown();
            stopped.countDown();
        }
    }

    private void drainAndCloseListener() throws IOException {
        acceptAll();
        server.close();
        // NIO defers closing a channel registered with a selector until its key is deregistered,
        // which the next selection does: until then the kernel still listens and completes
        // handshakes that the real close then resets. Select now, so that kill() returns only
        // once connects are refused.
        selector.selectNow();
        listenerClosed.countDown();
    }

    private void acceptAll() throws IOException {
        SocketChannel ch;
        while (server.isOpen() && (ch = server.accept()) != null) {
            accepted.incrementAndGet();
            open.incrementAndGet();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.register(selector, SelectionKey.OP_READ, new Conn());
        }
    }

    private void serve(SelectionKey key) {
        SocketChannel ch = (SocketChannel) key.channel();
        Conn c = (Conn) key.attachment();
        try {
            if (key.isReadable() && !c.peerDone) {
                c.out.limit(c.out.capacity());
                int n = ch.read(c.out);
                if (n < 0) {
                    c.peerDone = true;
                } else {
                    bytesRead.addAndGet(n);
                }
            }
            flush(ch, c);
            if (c.peerDone && c.idle()) {
                closeConnection(key); // the client is done and everything is echoed
                return;
            }
            key.interestOps((c.peerDone || c.out.position() == c.out.capacity() ? 0 : SelectionKey.OP_READ)
                    | (c.idle() ? 0 : SelectionKey.OP_WRITE));
        } catch (IOException e) {
            closeConnection(key);
        }
    }

    private void closeConnection(SelectionKey key) {
        if (key.channel().isOpen()) {
            open.decrementAndGet();
            closeQuietly(key.channel());
        }
    }

    private void flush(SocketChannel ch, Conn c) throws IOException {
        if (c.idle()) {
            return;
        }
        c.out.flip();
        ch.write(c.out);
        if (!c.answeredLine && c.out.position() > 0 && c.out.get(c.out.position() - 1) == '\n') {
            c.answeredLine = true;
            answered.incrementAndGet();
        }
        c.out.compact();
    }

    private void closeIdle(boolean graceOver) {
        List<SelectionKey> keys = new ArrayList<>(selector.keys());
        for (SelectionKey key : keys) {
            if (key.attachment() instanceof Conn c && (graceOver || (c.answeredLine && c.idle()))) {
                closeConnection(key);
            }
        }
    }

    private void closeAll() {
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            if (key.attachment() instanceof Conn) {
                closeConnection(key);
            }
        }
        closeQuietly(server);
        closeQuietly(selector);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
