package dev.halb.core.replica;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The address clients use for a VIP on this replica, as its node (and so every replica's DNS
 * answers) gives it: the VIP's bind host when that is not a wildcard, else
 * {@code replica.advertise}, else the host's first non-loopback address.
 */
final class ClientAddresses {

    private final String advertise;
    private final String hostAddress;

    /**
     * @param advertise   {@code replica.advertise}; "" = none
     * @param hostAddress the host's first non-loopback address (see {@link #firstNonLoopback})
     */
    ClientAddresses(String advertise, String hostAddress) {
        this.advertise = advertise;
        this.hostAddress = hostAddress;
    }

    /** The client address for a VIP bound to {@code bindHost}. */
    String of(String bindHost) {
        if (!isWildcard(bindHost)) {
            return literal(bindHost);
        }
        return advertise.isEmpty() ? hostAddress : advertise;
    }

    static boolean isWildcard(String host) {
        return host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** An IP literal as is; a host name resolved once (a VIP bound to a name listens on one address). */
    private static String literal(String host) {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            return host;
        }
    }

    /**
     * The first address of the first interface that is up and not loopback, IPv4 before IPv6,
     * link-local addresses skipped; {@code fallback} when there is none (a host with loopback
     * only, as in some containers).
     */
    static String firstNonLoopback(String fallback) {
        List<InetAddress> v6 = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
                        continue;
                    }
                    if (a instanceof Inet4Address) {
                        return a.getHostAddress();
                    }
                    v6.add(a);
                }
            }
        } catch (SocketException e) {
            return fallback;
        }
        if (!v6.isEmpty()) {
            String s = v6.get(0).getHostAddress();
            int scope = s.indexOf('%');
            return scope < 0 ? s : s.substring(0, scope);
        }
        return fallback;
    }
}
