package dev.halb.core.accesslog;

import java.io.FileDescriptor;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the writer's bytes go. {@link #open} is called at start and again for each reopen; the
 * writer closes the stream it had only once the new one is open.
 */
interface Sink {

    /** A stream to append to. */
    OutputStream open() throws IOException;

    /** The access log file at {@code path}, created if missing and always appended to; "" = standard output. */
    static Sink forPath(String path) {
        if (path.isEmpty()) {
            return () -> new FileOutputStream(FileDescriptor.out) {
                @Override
                public void close() {
                    // Standard output is the process's, not the writer's, to close.
                }
            };
        }
        Path file = Path.of(path);
        return () -> {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new FileNotFoundException("accessLog.path: " + path + " (expected: a file in an existing directory; "
                        + parent + " is not one)");
            }
            try {
                return new FileOutputStream(file.toFile(), true);
            } catch (FileNotFoundException e) {
                throw new FileNotFoundException("accessLog.path: " + path + " cannot be opened for appending: "
                        + e.getMessage());
            }
        };
    }
}
