package dev.halb.discovery.zookeeper;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Whether this replica can see ZooKeeper now, and since when: {@code /api/v1/status} shows
 * {@link #label()} and the time since, {@code halb_discovery_connected} is {@link #connected()}.
 *
 * <p>Disconnected covers both a suspended connection (the session may still be alive) and a lost
 * session: either way the catalog is frozen at what was last seen (static stability).
 *
 * @param connected {@code true} while Curator reports a live connection
 * @param since     when the state last changed
 */
public record DiscoveryState(boolean connected, Instant since) {

    public DiscoveryState {
        Objects.requireNonNull(since, "since");
    }

    public static DiscoveryState connected(Instant since) {
        return new DiscoveryState(true, since);
    }

    public static DiscoveryState disconnected(Instant since) {
        return new DiscoveryState(false, since);
    }

    /** {@code connected} or {@code disconnected}, as shown in {@code /api/v1/status}. */
    public String label() {
        return connected ? "connected" : "disconnected";
    }

    /** Time in this state at {@code now}; never negative. */
    public Duration age(Instant now) {
        Duration d = Duration.between(since, now);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
