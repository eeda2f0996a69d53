package dev.halb.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 network, {@code 10.0.0.0/8} or {@code fd00::/8}. A bare address is a /32 or /128.
 */
public record Cidr(byte[] network, int prefixLength, String text) {

    /**
     * Parses a CIDR. Only IP literals are accepted (no name lookups).
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static Cidr parse(String value) {
        String v = value == null ? "" : value.strip();
        int slash = v.indexOf('/');
        String addressText = slash < 0 ? v : v.substring(0, slash);
        if (!looksLikeIpLiteral(addressText)) {
            throw new IllegalArgumentException("'" + value + "' (expected: a CIDR such as 10.0.0.0/8 or fd00::/8)");
        }
        byte[] address;
        try {
            address = InetAddress.getByName(addressText).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + value + "' (expected: a CIDR such as 10.0.0.0/8 or fd00::/8)");
        }
        int max = address.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(v.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("'" + value + "' (expected: prefix length 0-" + max + ")");
            }
        }
        return new Cidr(mask(address, prefix), prefix, v);
    }

    private static boolean looksLikeIpLiteral(String s) {
        if (s.isEmpty()) {
            return false;
        }
        if (s.indexOf(':') >= 0) {
            return s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        return s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.') && s.split("\\.", -1).length == 4;
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xFF << (8 - bits));
        }
        return out;
    }

    /** Whether {@code address} lies in this network; an IPv4 network never holds an IPv6 address. */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        return java.util.Arrays.equals(mask(bytes, prefixLength), network);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        return text;
    }
}
