package dev.halb.discovery;

import java.util.Objects;

/**
 * One backend instance of a service, as a source reported it.
 *
 * <p>{@link #id()} is identity: two snapshots that hold a backend with the same id hold the same
 * instance, possibly with other attributes. Equality is by value, so a change of weight or zone
 * is a change of the snapshot.
 *
 * @param id       unique within its service; static backends use {@code address:port}
 * @param address  IP literal or host name
 * @param port     1-65535
 * @param locality zone, region and rack
 * @param weight   relative share of new connections, 1-10000 (100 by default)
 * @param origin   where it was configured or discovered
 * @param enabled  {@code false} when the instance asked to be drained (Curator's {@code enabled})
 */
public record Backend(String id, String address, int port, Locality locality, int weight, BackendOrigin origin,
                      boolean enabled) {

    public static final int DEFAULT_WEIGHT = 100;
    public static final int MAX_WEIGHT = 10_000;

    public Backend {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(origin, "origin");
        locality = locality == null ? Locality.NONE : locality;
        if (id.isBlank()) {
            throw new IllegalArgumentException("id: '" + id + "' (expected: non-empty)");
        }
        if (address.isBlank()) {
            throw new IllegalArgumentException("address: '" + address + "' (expected: non-empty)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1-" + MAX_WEIGHT + ")");
        }
    }

    /** A static backend, identified by {@code address:port}. */
    public static Backend ofStatic(String address, int port, Locality locality, int weight) {
        return new Backend(staticId(address, port), address, port, locality, weight, BackendOrigin.STATIC, true);
    }

    public static String staticId(String address, int port) {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }

    public String zone() {
        return locality.zone();
    }

    /** {@code address:port}, with IPv6 literals bracketed. */
    public String hostAndPort() {
        return staticId(address, port);
    }
}
