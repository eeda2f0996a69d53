package dev.halb.discovery.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test opened ({@link #track}), closed after it in reverse order, so that replicas and
 * clients go before the servers they use. The first failure is rethrown after everything closed.
 * Use with {@code @RegisterExtension}.
 */
public final class Closeables implements AfterEachCallback {

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    public <T extends AutoCloseable> T track(T closeable) {
        opened.push(closeable);
        return closeable;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        closeAll();
    }

    /** Closes everything tracked so far, newest first. */
    public void closeAll() throws Exception {
        Exception first = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
