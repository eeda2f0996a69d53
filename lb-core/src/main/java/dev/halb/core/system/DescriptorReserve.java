package dev.halb.core.system;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One file descriptor held in reserve, so that a listener that ran out of descriptors can still
 * turn a client away instead of leaving it in the kernel's backlog.
 *
 * <p>When accepting fails with "too many open files", the kernel keeps the client queued: it
 * waits, connected from its own point of view, until it gives up. Closing the reserve frees one
 * descriptor; the next accept takes it, the listener closes that client at once (it gets an end
 * of stream, not a hang), and the reserve is taken back. libuv and Go's network poller turn
 * clients away the same way.
 *
 * <p>The reserve is {@code /dev/null}, opened for reading. Thread-safe; rare path.
 */
public final class DescriptorReserve implements AutoCloseable {

    private static final Path NULL_DEVICE = Path.of("/dev/null");

    private FileChannel held;
    private boolean closed;

    private DescriptorReserve() {
    }

    /** A reserve holding its descriptor, or holding none if it could not be opened now. */
    public static DescriptorReserve open() {
        DescriptorReserve r = new DescriptorReserve();
        r.reacquire();
        return r;
    }

    /** Frees the reserved descriptor; {@code false} when none was held. */
    public synchronized boolean release() {
        FileChannel c = held;
        if (c == null) {
            return false;
        }
        held = null;
        try {
            c.close();
        } catch (IOException e) {
            // The descriptor is released by close whether or not it reports an error.
        }
        return true;
    }

    /**
     * Takes the descriptor back; {@code false} when it could not be opened (another socket or
     * file took the last one), in which case a later call tries again.
     */
    public synchronized boolean reacquire() {
        if (closed) {
            return false;
        }
        if (held != null) {
            return true;
        }
        try {
            held = FileChannel.open(NULL_DEVICE, StandardOpenOption.READ);
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Whether the descriptor is held now. */
    public synchronized boolean isHeld() {
        return held != null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        release();
    }
}
