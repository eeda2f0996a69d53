package dev.halb.core.peers;

import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of every peer's state as this replica sees it, by replica id. A replica
 * that is not in it (this replica itself, or one registered after the snapshot) counts as
 * serving: only a probe takes a replica out.
 */
public record PeerStates(Map<String, PeerState> byId) {

    public static final PeerStates EMPTY = new PeerStates(Map.of());

    public PeerStates {
        byId = java.util.Collections.unmodifiableMap(new TreeMap<>(byId));
    }

    /** The state of replica {@code id}; {@link PeerState#SERVING} when it was never probed. */
    public PeerState state(String id) {
        return byId.getOrDefault(id, PeerState.SERVING);
    }

    public boolean serving(String id) {
        return state(id).serving();
    }
}
