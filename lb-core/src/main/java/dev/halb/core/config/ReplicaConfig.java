package dev.halb.core.config;

/**
 * This replica's identity.
 *
 * @param id     "" = {@code <hostname>-<admin port>}
 * @param zone   "" = no zone preference
 * @param region free text
 */
public record ReplicaConfig(String id, String zone, String region) {

    public static final ReplicaConfig DEFAULT = new ReplicaConfig("", "", "");

    public ReplicaConfig {
        id = id == null ? "" : id;
        zone = zone == null ? "" : zone;
        region = region == null ? "" : region;
    }
}
