package dev.halb.core.peers;

/** A peer as this replica sees it. */
public enum PeerState {
    /** Its last probe passed (or it registered and was not probed yet). */
    SERVING("serving"),
    /** It answered 503: it is draining and wants no new clients. */
    DRAINING("draining"),
    /** Its last {@code unhealthyThreshold} probes failed. */
    DOWN("down");

    private final String label;

    PeerState(String label) {
        this.label = label;
    }

    /** As shown in {@code /api/v1/replicas}. */
    public String label() {
        return label;
    }

    /** Whether the peer takes new clients: in DNS answers and in the zone shares. */
    public boolean serving() {
        return this == SERVING;
    }
}
