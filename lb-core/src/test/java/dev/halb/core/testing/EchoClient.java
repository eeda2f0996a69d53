package dev.halb.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** One short connection through a VIP to an echo backend: connect, send a byte, read it back, close. */
public final class EchoClient {

    private EchoClient() {
    }

    /** @throws UncheckedIOException when the connection fails or the byte does not come back */
    public static void once(InetSocketAddress vip) {
        try (Socket s = new Socket()) {
            s.setSoTimeout(5_000);
            s.connect(vip, 5_000);
            s.getOutputStream().write('x');
            if (s.getInputStream().read() != 'x') {
                throw new IOException("no echo from " + vip);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("echo through " + vip + " failed", e);
        }
    }

    public static void times(InetSocketAddress vip, int n) {
        for (int i = 0; i < n; i++) {
            once(vip);
        }
    }
}
