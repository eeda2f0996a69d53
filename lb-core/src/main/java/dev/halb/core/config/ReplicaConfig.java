package dev.halb.core.config;

import io.netty.util.NetUtil;
import java.util.Objects;

/**
 * This replica's identity. A {@code null} component is "".
 *
 * @param id     "" = {@code <hostname>-<admin port>}; else the name of its node under {@code /halb/replicas}
 * @param zone   "" = no zone preference
 * @param region free text
 * @param advertise the IP address clients use for this replica's VIPs bound to a wildcard host;
 *               "" = the host's first non-loopback address
 */
public record ReplicaConfig(String id, String zone, String region, String advertise) {

    public static final ReplicaConfig DEFAULT = new ReplicaConfig("", "", "", "");

    public ReplicaConfig {
        id = Objects.requireNonNullElse(id, "");
        zone = Objects.requireNonNullElse(zone, "");
        region = Objects.requireNonNullElse(region, "");
        advertise = Objects.requireNonNullElse(advertise, "").strip();
        if (!advertise.isEmpty() && !NetUtil.isValidIpV4Address(advertise) && !NetUtil.isValidIpV6Address(advertise)) {
            throw InvalidValueException.of("advertise", advertise,
                    "expected: \"\" or an IP address clients can reach, e.g. 10.0.0.5");
        }
        if (!id.isEmpty() && !Checks.isNodeName(id)) {
            throw InvalidValueException.of("id", id,
                    "expected: \"\" or a ZooKeeper node name: no '/', spaces or control characters");
        }
    }

    /** An identity that advertises the host's own address. */
    public ReplicaConfig(String id, String zone, String region) {
        this(id, zone, region, "");
    }

    /** This identity in {@code zone}. */
    public ReplicaConfig withZone(String zone) {
        return new ReplicaConfig(id, zone, region, advertise);
    }
}
