package dev.halb.core.proxy;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * How close the process is to its direct memory cap ({@code -XX:MaxDirectMemorySize}), where
 * every byte a connection buffers lives. Past {@link #PAUSE_PERCENT} of the cap no side resumes
 * reading and a side that reads is paused after its read, so queues only drain; a side that the
 * transport still reads while paused (io_uring and epoll drain a socket whose peer sent FIN or
 * RST) is closed rather than buffered once its connection holds more than its bound. An
 * allocation therefore never fails: reads stop first.
 *
 * <p>The figure is what Netty counts against the cap for the buffers it allocates itself (as a
 * replica runs: see {@link #jdkCleaner()}), plus what the JDK counts for every other direct buffer
 * (Netty's too, when it allocates through the JDK). It is read when a side is paused, by the
 * per-event-loop sweep, and never per read.
 */
public final class DirectMemory {

    static final int PAUSE_PERCENT = 60;

    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
            .stream().filter(b -> b.getName().equals("direct")).findFirst().orElse(null);
    private static final long MAX = PlatformDependent.maxDirectMemory();
    private static final long PAUSE_AT = MAX / 100 * PAUSE_PERCENT;

    /** Set while usage is at or above the pause threshold; read on every read, hence volatile. */
    private static volatile boolean pressure;

    private DirectMemory() {
    }

    static boolean underPressure() {
        return pressure;
    }

    /** Reads the current usage, updates {@link #underPressure()} and returns it. */
    static boolean check() {
        boolean p = used() >= PAUSE_AT;
        if (p != pressure) {
            pressure = p;
        }
        return p;
    }

    /** Direct memory in use: the JDK's count plus Netty's own, when Netty allocates past the JDK. */
    public static long used() {
        long jdk = DIRECT == null ? 0 : DIRECT.getMemoryUsed();
        long netty = PlatformDependent.usedDirectMemory();
        return jdk + Math.max(0, netty);
    }

    /** The cap, {@code -XX:MaxDirectMemorySize} (by default the maximum heap size). */
    public static long max() {
        return MAX;
    }

    /** Usage at which reads pause. */
    public static long pauseAt() {
        return PAUSE_AT;
    }

    /**
     * Whether Netty's direct buffers go through the JDK's {@code ByteBuffer.allocateDirect}, each
     * with a {@code Cleaner} and counted by the JDK, instead of its own allocation without one. It
     * allocates without when it may use {@code DirectByteBuffer}'s private constructor: with
     * {@code java.nio} opened to it (the jar's manifest does that) and
     * {@code io.netty.tryReflectionSetAccessible=true} (halb's main sets it unless given).
     */
    public static boolean jdkCleaner() {
        return !PlatformDependent.useDirectBufferNoCleaner();
    }
}
