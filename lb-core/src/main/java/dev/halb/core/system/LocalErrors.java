package dev.halb.core.system;

import io.netty.channel.ChannelException;
import io.netty.channel.unix.Errors;
import java.util.Locale;

/**
 * Tells a failure of this process (out of descriptors, socket buffers, memory or local ports)
 * from a failure of the peer. A backend connect or health check that fails for a local reason
 * says nothing about the backend: it must not count toward ejecting it or marking it unhealthy,
 * nor be retried on another backend, which would fail the same way.
 */
public final class LocalErrors {

    // Linux errno values; the native transports report them as negative numbers.
    private static final int ENOMEM = 12;
    private static final int ENFILE = 23;
    private static final int EMFILE = 24;
    private static final int EADDRNOTAVAIL = 99;
    private static final int ENOBUFS = 105;

    private LocalErrors() {
    }

    /**
     * Loads this class and what it touches now. It is needed exactly when the process has no
     * descriptor left, and loading a class may need one (a class file to open): without this, the
     * first EMFILE failed with NoClassDefFoundError instead of being handled.
     */
    public static void preload() {
        try {
            // Loaded, not initialised: initialising it needs the native library, which may be absent.
            Class.forName(Errors.NativeIoException.class.getName(), false, LocalErrors.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // No native transport on this classpath: nothing of it to load.
        }
        isLocalResourceError(new ChannelException("Unable to create Channel"));
        describe(new java.io.IOException("Too many open files"));
        isDescriptorShortage(new java.io.IOException("Too many open files"));
    }

    /** Whether {@code t} (or a cause of it) is a shortage of a local resource. */
    public static boolean isLocalResourceError(Throwable t) {
        return anyCause(t, c -> {
            int errno = errno(c);
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM || errno == EADDRNOTAVAIL) {
                return true;
            }
            if (c instanceof OutOfMemoryError) {
                return true;
            }
            if (c instanceof ChannelException && c.getCause() == null
                    && String.valueOf(c.getMessage()).startsWith("Unable to create Channel")) {
                // The channel's constructor opens its socket; nothing else in it can fail.
                return true;
            }
            // The JDK's NIO reports these only as text (from strerror), without an errno.
            return describesLocalShortage(c.getMessage());
        });
    }

    /**
     * Whether {@code t} (or a cause of it) is a shortage of file descriptors, of this process
     * (EMFILE) or of the system (ENFILE): the one shortage a held-back descriptor can relieve.
     */
    public static boolean isDescriptorShortage(Throwable t) {
        return anyCause(t, c -> {
            int errno = errno(c);
            return errno == EMFILE || errno == ENFILE
                    || String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT).contains("too many open files");
        });
    }

    /** Whether {@code test} holds for {@code t} or one of its causes. */
    private static boolean anyCause(Throwable t, java.util.function.Predicate<Throwable> test) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (test.test(c)) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** The errno a native transport reported, or 0. */
    private static int errno(Throwable t) {
        return t instanceof Errors.NativeIoException n ? Math.abs(n.expectedErr()) : 0;
    }

    /** A short description of {@code t} for a log line, without a stack trace or class name. */
    public static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && describesLocalShortage(m)) {
                return shortage(m);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private static boolean describesLocalShortage(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("too many open files") || m.contains("no buffer space available")
                || m.contains("cannot assign requested address") || m.contains("cannot allocate memory");
    }

    private static String shortage(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("too many open files")) {
            return m.contains("system") ? "too many open files in the system (ENFILE)"
                    : "too many open files (EMFILE: raise ulimit -n)";
        }
        if (m.contains("no buffer space available")) {
            return "no socket buffer space (ENOBUFS)";
        }
        if (m.contains("cannot assign requested address")) {
            return "no local address or port free (EADDRNOTAVAIL)";
        }
        return "out of memory (ENOMEM)";
    }
}
