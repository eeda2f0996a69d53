package dev.halb.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran. Registered for every test
 * class through the service loader (junit-platform.properties turns autodetection on).
 *
 * <p>The detector reports a leak only when the leaked buffer was collected and a later
 * allocation polls its queue, so this collects garbage and allocates before it looks.
 */
public final class NoLeaksExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 64; j++) {
                ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(64);
                b.release();
            }
        }
        assertThat(LeakRecorder.drain()).as("Netty buffer leaks reported during %s", context.getDisplayName())
                .isEmpty();
    }
}
