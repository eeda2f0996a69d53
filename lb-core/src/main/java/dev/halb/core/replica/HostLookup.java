package dev.halb.core.replica;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Resolves one backend host name (never an IP literal) to an address. The seam behind the
 * replica's cache of names; the default asks the JDK, tests pass their own.
 * Called off the data path, on the resolver's own threads; may block.
 */
@FunctionalInterface
public interface HostLookup {

    /** @throws UnknownHostException when the name does not resolve */
    InetAddress lookup(String host) throws UnknownHostException;

    /** {@link InetAddress#getByName}: the system resolver, behind the JDK's own short cache. */
    static HostLookup system() {
        return InetAddress::getByName;
    }
}
