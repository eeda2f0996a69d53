package dev.halb.core.accesslog;

import dev.halb.core.config.AccessLogConfig;
import java.io.IOException;

/**
 * Where the proxy hands its access records. {@link #log} never blocks and never throws: a record
 * that cannot be queued is dropped and counted. A disabled log ({@code accessLog.format: off})
 * says so through {@link #enabled()}, and the proxy then keeps nothing for it.
 */
public interface AccessLog extends AutoCloseable {

    /** Whether records are wanted at all; when false, callers skip building them. */
    boolean enabled();

    /** Queues a record for writing; drops and counts it when the queue is full. Any thread. */
    void log(AccessRecord record);

    /** Reopens the file by its path (after logrotate moved it); the writer does so before its next write. */
    void reopen();

    /** Records dropped because the queue was full, since start. */
    long dropped();

    /** Writes what is queued and closes the file. Idempotent. */
    @Override
    void close();

    /** An access log that records nothing. */
    static AccessLog disabled() {
        return DisabledAccessLog.INSTANCE;
    }

    /**
     * The access log {@code config} asks for: disabled when its format is {@code off}, else a
     * writer thread appending to {@code config.path()} (standard output when "").
     *
     * @param onDrop called once for each dropped record (a counter's increment); may be called on an event loop
     * @throws IOException when the file cannot be opened for appending
     */
    static AccessLog open(AccessLogConfig config, Runnable onDrop) throws IOException {
        if (!config.enabled()) {
            return disabled();
        }
        return new AccessLogWriter(RecordFormat.of(config.format()), Sink.forPath(config.path()),
                AccessLogWriter.QUEUE_CAPACITY, onDrop);
    }
}
