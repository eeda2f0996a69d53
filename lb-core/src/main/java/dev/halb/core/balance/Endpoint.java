package dev.halb.core.balance;

import dev.halb.core.health.HealthTarget;
import dev.halb.discovery.Backend;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend of a VIP as the data path sees it: its resolved address and its open connections.
 *
 * <p>When a backend's attributes change (weight, zone), the VIP makes a new endpoint with
 * {@link #withBackend} that shares the connection counter, so connections opened on the old one
 * are still counted and still released.
 */
public final class Endpoint implements HealthTarget {

    private final Backend backend;
    private final InetSocketAddress address;
    private final AtomicInteger active;

    public Endpoint(Backend backend, InetSocketAddress address) {
        this(backend, address, new AtomicInteger());
    }

    private Endpoint(Backend backend, InetSocketAddress address, AtomicInteger active) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.address = Objects.requireNonNull(address, "address");
        this.active = active;
    }

    /** The same live counter with other attributes. */
    public Endpoint withBackend(Backend newBackend, InetSocketAddress newAddress) {
        return new Endpoint(newBackend, newAddress, active);
    }

    public Backend backend() {
        return backend;
    }

    public String id() {
        return backend.id();
    }

    public int weight() {
        return backend.weight();
    }

    public String zone() {
        return backend.zone();
    }

    /** The backend's region, "" for none. */
    public String region() {
        return backend.locality().region();
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Open connections to this backend from this replica, connect attempts included. */
    public int activeConnections() {
        return active.get();
    }

    /** The live counter itself, for pickers that scan many endpoints (one indirection less). */
    AtomicInteger counter() {
        return active;
    }

    public void connectionOpened() {
        active.incrementAndGet();
    }

    public void connectionClosed() {
        active.decrementAndGet();
    }

    @Override
    public String toString() {
        return backend.id() + "(" + address + ")";
    }
}
