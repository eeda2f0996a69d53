package dev.halb.core.accesslog;

import dev.halb.core.logging.RateLimitedLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * One writer thread behind a bounded queue. Event loops offer records (an uncontended lock and an
 * array store; no formatting, no I/O); when the queue is full the record is dropped and counted,
 * because an event loop that waited for a slow disk would stall every connection it serves.
 *
 * The writer takes what is queued in batches, formats each batch into one reused StringBuilder
 * and hands it to the file in one write, so a busy replica costs one system call per batch, not
 * per connection. Records are only in memory until their batch is written: a crash loses at most
 * the queue. A reopen (after logrotate moved the file) is done by the writer between batches, so
 * no line is split between the old file and the new.
 */
final class AccessLogWriter implements AccessLog {

    private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);

    /** Records that may wait: at 100 000 connections/s, 160 ms of a disk that does not answer. */
    static final int QUEUE_CAPACITY = 16_384;
    /** Records per write. */
    static final int BATCH = 1024;
    /** How often an idle writer looks for a reopen or a close. */
    private static final long IDLE_POLL_MS = 200;

    private final RecordFormat format;
    private final Sink sink;
    private final ArrayBlockingQueue<AccessRecord> queue;
    private final Runnable onDrop;
    private final LongAdder dropped = new LongAdder();
    private final RateLimitedLog writeErrors = new RateLimitedLog(log);
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean reopenRequested;
    private volatile boolean onDropFailed;

    // The writer thread's own.
    private OutputStream out;
    private final List<AccessRecord> batch = new ArrayList<>(BATCH);
    private final StringBuilder text = new StringBuilder(256 * BATCH);

    /**
     * Opens the sink at once, so that a path that cannot be written fails the start.
     *
     * @throws IOException when the sink cannot be opened
     */
    AccessLogWriter(RecordFormat format, Sink sink, int capacity, Runnable onDrop) throws IOException {
        this.format = format;
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.onDrop = onDrop;
        this.out = sink.open();
        this.thread = new Thread(this::run, "halb-access-log");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public void log(AccessRecord record) {
        if (!queue.offer(record)) {
            drop(1);
        }
    }

    private void drop(int n) {
        dropped.add(n);
        // Observers cannot hurt the data path: a failing counter is logged once and ignored.
        try {
            for (int i = 0; i < n; i++) {
                onDrop.run();
            }
        } catch (RuntimeException e) {
            if (!onDropFailed) {
                onDropFailed = true;
                log.warn("access log drop counter failed; records are still dropped (logged once)", e);
            }
        }
    }

    @Override
    public void reopen() {
        reopenRequested = true;
    }

    @Override
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                AccessRecord first = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
                if (reopenRequested) {
                    reopenRequested = false;
                    reopenNow();
                }
                if (first == null) {
                    if (closed.get()) {
                        break;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write();
            }
        } catch (InterruptedException e) {
            // Closing: what is queued is written below.
        }
        while (queue.drainTo(batch, BATCH) > 0) {
            write();
        }
        closeQuietly(out);
    }

    private void write() {
        text.setLength(0);
        for (AccessRecord r : batch) {
            format.append(r, text);
            text.append('\n');
        }
        int n = batch.size();
        batch.clear();
        try {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            drop(n);
            writeErrors.warn("access log: writing {} records failed, dropped: {}", n, e.toString());
        }
    }

    private void reopenNow() {
        OutputStream next;
        try {
            next = sink.open();
        } catch (IOException e) {
            log.warn("access log: reopening failed, still writing to the file it had open: {}", e.getMessage());
            return;
        }
        closeQuietly(out);
        out = next;
        log.info("access log reopened");
    }

    private static void closeQuietly(OutputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            log.debug("access log: closing: {}", e.toString());
        }
    }
}
