package dev.halb.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A reset that reached a native socket without its channel hearing of it is found by the socket's
 * pending error and handled as a reset: the channel's pipeline gets the IOException and the
 * channel closes. The reset and the check run in one task on the channel's own event loop, so the
 * loop cannot handle the reset itself first, which is how a transport that dropped the event
 * leaves it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnreportedResetTest {

    /** tcp_info's state of a socket the kernel has closed (TCP_CLOSE). */
    private static final int TCP_CLOSE = 7;
    private static final int ECONNRESET = 104;

    private EventLoopGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static Stream<Transport> nativeTransports() {
        return Transport.available().stream().filter(t -> t != Transport.NIO);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nativeTransports")
    void aResetTheLoopHasNotHandledIsFoundAndClosesTheChannel(Transport transport) throws Exception {
        group = transport.newGroup(1, "unreported-reset");
        List<Throwable> caught = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Channel ch = new Bootstrap().group(group).channel(transport.channelClass())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            caught.add(cause);
                            ctx.close();
                        }
                    })
                    .connect(server.getLocalSocketAddress()).sync().channel();
            try (Socket peer = server.accept()) {
                assertThat(ch.eventLoop().submit(() -> RelayHandler.resetPending(ch)).get(10, TimeUnit.SECONDS))
                        .as("a healthy socket has no pending error").isFalse();
                assertThat(caught).isEmpty();

                boolean found = ch.eventLoop().submit(() -> {
                    peer.setSoLinger(true, 0);
                    peer.close();
                    awaitKernelClosed(ch);
                    return RelayHandler.resetPending(ch);
                }).get(10, TimeUnit.SECONDS);
                assertThat(found).as("the reset found").isTrue();
            }
            assertThat(ch.closeFuture().await(10, TimeUnit.SECONDS)).as("channel closed").isTrue();
        }
        assertThat(caught).singleElement().isInstanceOf(IOException.class)
                .extracting(Throwable::getMessage).asString().contains("socket error " + ECONNRESET);
    }

    /** Waits (on the loop, blocking it) until the kernel has processed the peer's reset. */
    private static void awaitKernelClosed(Channel ch) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tcpState(ch) != TCP_CLOSE) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the peer's reset did not reach the socket within 5 s");
            }
            Thread.sleep(1);
        }
    }

    private static int tcpState(Channel ch) {
        if (ch instanceof IoUringSocketChannel u) {
            return u.tcpInfo().state();
        }
        return ((EpollSocketChannel) ch).tcpInfo().state();
    }
}
