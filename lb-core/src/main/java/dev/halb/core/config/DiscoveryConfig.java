package dev.halb.core.config;

import java.util.Objects;

/** Where backends, dynamic VIPs and other replicas are found. A {@code null} component takes its default. */
public record DiscoveryConfig(ZooKeeperConfig zookeeper) {

    public static final DiscoveryConfig DEFAULT = new DiscoveryConfig(ZooKeeperConfig.DEFAULT);

    public DiscoveryConfig {
        zookeeper = Objects.requireNonNullElse(zookeeper, ZooKeeperConfig.DEFAULT);
    }
}
