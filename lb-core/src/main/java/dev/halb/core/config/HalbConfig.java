package dev.halb.core.config;

import java.util.List;
import java.util.Objects;

/** A whole replica configuration: the root of {@code halb.yaml}. */
public record HalbConfig(ReplicaConfig replica, DiscoveryConfig discovery, AdminConfig admin, List<VipConfig> vips,
                         DrainConfig drain) {

    public HalbConfig {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(drain, "drain");
        vips = List.copyOf(vips);
    }
}
