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
 * <p>The figure is what the JDK counts, plus what Netty counts for the buffers it allocates
 * itself, without the JDK (as a replica runs: see {@link Usage#jdkCleaner()}). Netty counts its
 * buffers either way; when they go through the JDK, the JDK's count has them already. It is read
 * when a side is paused, by the per-event-loop sweep, and never per read.
 */
public final class DirectMemory {

    static final int PAUSE_PERCENT = 60;

    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
            .stream().filter(b -> b.getName().equals("direct")).findFirst().orElse(null);
    private static final long MAX = PlatformDependent.maxDirectMemory();
    private static final long PAUSE_AT = MAX / 100 * PAUSE_PERCENT;
    private static final boolean NETTY_BYPASSES_JDK = PlatformDependent.useDirectBufferNoCleaner();

    /** Set while usage is at or above the pause threshold; read on every read, hence volatile. */
    private static volatile boolean pressure;

    private DirectMemory() {
    }

    /**
     * Direct memory now, as {@code GET /api/v1/status} shows it ({@code directMemory}).
     *
     * @param usedBytes         in use
     * @param maxBytes          the cap, {@code -XX:MaxDirectMemorySize} (by default the maximum heap size)
     * @param readsPauseAtBytes usage at which reads pause
     * @param jdkCleaner        whether Netty's buffers go through the JDK's
     *                          {@code ByteBuffer.allocateDirect}, each with a {@code Cleaner}, instead
     *                          of its own allocation without one. Netty allocates without when it may
     *                          call {@code DirectByteBuffer}'s private constructor: {@code java.nio}
     *                          opened to it (the jar's manifest does that) and
     *                          {@code io.netty.tryReflectionSetAccessible=true} (halb's main sets it
     *                          unless given)
     */
    public record Usage(long usedBytes, long maxBytes, long readsPauseAtBytes, boolean jdkCleaner) {
    }

    public static Usage usage() {
        return new Usage(used(), MAX, PAUSE_AT, !NETTY_BYPASSES_JDK);
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

    static long used() {
        long jdk = DIRECT == null ? 0 : DIRECT.getMemoryUsed();
        return NETTY_BYPASSES_JDK ? jdk + Math.max(0, PlatformDependent.usedDirectMemory()) : jdk;
    }

    static long max() {
        return MAX;
    }
}
