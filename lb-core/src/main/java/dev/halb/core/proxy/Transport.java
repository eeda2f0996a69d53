package dev.halb.core.proxy;

import dev.halb.core.system.LocalErrors;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The socket implementation: native io_uring where the kernel allows it (fastest here), else
 * native epoll, else the JDK's NIO.
 *
 * <p>The choice can be forced with the system property {@value #PROPERTY} or the environment
 * variable {@value #ENV} ({@code io_uring}, {@code epoll} or {@code nio}), e.g. to compare them.
 */
public enum Transport {
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    public static final String PROPERTY = "halb.transport";
    public static final String ENV = "HALB_TRANSPORT";

    static {
        // Netty's io_uring transport (4.2.18) re-arms reading with an edge-triggered multishot
        // POLLIN after a read loop that emptied the socket, even when the peer's FIN or reset is
        // already pending behind the data it just read. A backend that writes a few bytes and
        // then resets (after the client's FIN, say) thus never wakes the channel again: both
        // channels and their descriptors stayed open until the idle timeout. One-shot polls
        // report a condition that is already there, so they are used instead. Multishot accept
        // is turned off for a like reason: with it, pausing accepts (autoRead off) after an
        // accept failed for lack of descriptors does not stop the next failures, and the loop
        // spins. An explicit -D setting of either property wins.
        defaultProperty("io.netty.iouring.pollAddMultishotEnabled", "false");
        defaultProperty("io.netty.iouring.acceptMultiShotEnabled", "false");
        // What runs when descriptors are exhausted must be loaded before they are.
        LocalErrors.preload();
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private final String label;

    Transport(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isAvailable() {
        return switch (this) {
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
            case NIO -> true;
        };
    }

    /** Why this transport cannot be used here, or {@code null}. */
    public Throwable unavailabilityCause() {
        return switch (this) {
            case IO_URING -> IoUring.unavailabilityCause();
            case EPOLL -> Epoll.unavailabilityCause();
            case NIO -> null;
        };
    }

    public IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public Class<? extends Channel> channelClass() {
        return switch (this) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    /**
     * A new unregistered TCP client channel of this transport, made without reflection (a replica
     * makes one per backend connection).
     */
    public Channel newChannel() {
        return switch (this) {
            case IO_URING -> new IoUringSocketChannel();
            case EPOLL -> new EpollSocketChannel();
            case NIO -> new NioSocketChannel();
        };
    }

    /** The UDP channel of this transport (the DNS responder's). */
    public Class<? extends DatagramChannel> datagramChannelClass() {
        return switch (this) {
            case IO_URING -> IoUringDatagramChannel.class;
            case EPOLL -> EpollDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }

    /**
     * The option that lets several listening sockets share an address ({@code SO_REUSEPORT}), or
     * {@code null} where halb binds one listener per address (NIO).
     */
    public ChannelOption<Boolean> reusePort() {
        return this == NIO ? null : UnixChannelOption.SO_REUSEPORT;
    }

    /** An event loop group of this transport with {@code threads} daemon threads named {@code name-N}. */
    public EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlerFactory());
    }

    /** Every transport usable on this machine, fastest first. */
    public static List<Transport> available() {
        return Arrays.stream(values()).filter(Transport::isAvailable).toList();
    }

    /**
     * The forced transport if {@value #PROPERTY} or {@value #ENV} names one, else the fastest
     * available.
     *
     * @throws IllegalArgumentException when the forced one is unknown or unavailable, saying why
     */
    public static Transport select() {
        String forced = System.getProperty(PROPERTY);
        if (forced == null || forced.isBlank()) {
            forced = System.getenv(ENV);
        }
        if (forced == null || forced.isBlank()) {
            return available().get(0);
        }
        Transport t = fromLabel(forced);
        if (!t.isAvailable()) {
            Throwable cause = t.unavailabilityCause();
            throw new IllegalArgumentException("transport " + t.label + " is not available here"
                    + (cause == null ? "" : ": " + cause.getMessage()));
        }
        return t;
    }

    /**
     * What is wrong with the forced transport setting ({@value #PROPERTY} or {@value #ENV}) when
     * it names no transport at all, e.g. {@code HALB_TRANSPORT: 'foo' (expected one of: io_uring,
     * epoll, nio)}: a usage error, told apart from a transport that exists but is not available
     * here. {@code null} when unset or valid.
     */
    public static String invalidForcedSetting() {
        String name = "-D" + PROPERTY;
        String forced = System.getProperty(PROPERTY);
        if (forced == null || forced.isBlank()) {
            name = ENV;
            forced = System.getenv(ENV);
        }
        if (forced == null || forced.isBlank()) {
            return null;
        }
        try {
            fromLabel(forced);
            return null;
        } catch (IllegalArgumentException e) {
            return name + e.getMessage().substring("transport".length());
        }
    }

    public static Transport fromLabel(String label) {
        String l = label.strip().toLowerCase(Locale.ROOT).replace("iouring", "io_uring").replace("io-uring", "io_uring");
        for (Transport t : values()) {
            if (t.label.equals(l)) {
                return t;
            }
        }
        throw new IllegalArgumentException("transport: '" + label + "' (expected one of: io_uring, epoll, nio)");
    }
}
