package dev.halb.core.config;

import java.util.Objects;

/**
 * This replica's identity. A {@code null} component is "".
 *
 * @param id     "" = {@code <hostname>-<admin port>}; else the name of its node under {@code /halb/replicas}
 * @param zone   "" = no zone preference
 * @param region free text
 */
public record ReplicaConfig(String id, String zone, String region) {

    public static final ReplicaConfig DEFAULT = new ReplicaConfig("", "", "");

    public ReplicaConfig {
        id = Objects.requireNonNullElse(id, "");
        zone = Objects.requireNonNullElse(zone, "");
        region = Objects.requireNonNullElse(region, "");
        if (!id.isEmpty() && !Checks.isNodeName(id)) {
            throw InvalidValueException.of("id", id,
                    "expected: \"\" or a ZooKeeper node name: no '/', spaces or control characters");
        }
    }

    /** This identity in {@code zone}. */
    public ReplicaConfig withZone(String zone) {
        return new ReplicaConfig(id, zone, region);
    }
}
