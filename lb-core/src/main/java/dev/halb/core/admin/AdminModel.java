package dev.halb.core.admin;

import java.util.List;

/** What the admin API can see and do; the replica implements it. */
public interface AdminModel {

    /** Result of an operator drain or undrain. */
    enum DrainOutcome {
        DONE,
        UNKNOWN_VIP,
        UNKNOWN_BACKEND
    }

    /** {@code true} once SIGTERM started the drain: {@code /health} answers 503. */
    boolean draining();

    /** Names of configured VIPs that are not bound (empty = ready). */
    List<String> unboundVips();

    /** Prometheus text exposition. */
    String metrics();

    String metricsContentType();

    StatusView status();

    List<VipView> vips();

    /** Live replicas as registered in ZooKeeper (this replica alone without ZooKeeper). */
    List<ReplicaView> replicas();

    /** Operator drain ({@code true}) or undrain of one backend of one VIP. */
    DrainOutcome setDrained(String vip, String backendId, boolean drained);
}
