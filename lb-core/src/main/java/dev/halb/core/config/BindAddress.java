package dev.halb.core.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A {@code host:port} to listen on; {@code [v6]:port} for IPv6 literals. Port 0 asks the kernel
 * for a free port (used by tests).
 */
public record BindAddress(String host, int port) {

    public BindAddress {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /**
     * Parses {@code host:port}, {@code [v6]:port} or {@code :port} (all addresses).
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static BindAddress parse(String value) {
        String v = value == null ? "" : value.strip();
        int colon = v.lastIndexOf(':');
        if (v.startsWith("[") && !v.substring(0, Math.max(colon, 0)).endsWith("]")) {
            // "[::1]" alone: the last colon is inside the brackets, so there is no port.
            throw new IllegalArgumentException("'" + value + "' (expected: [v6]:port, e.g. [::]:8080)");
        }
        if (colon < 0) {
            throw new IllegalArgumentException("'" + value + "' (expected: host:port, e.g. 0.0.0.0:8080)");
        }
        String host = v.substring(0, colon);
        String portText = v.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + value + "' (expected: IPv6 addresses in brackets, e.g. [::]:8080)");
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' (expected: a port number 0-65535 after the colon)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + value + "' (expected: port 0-65535)");
        }
        return new BindAddress(host, port);
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
