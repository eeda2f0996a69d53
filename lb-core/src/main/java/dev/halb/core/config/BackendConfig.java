package dev.halb.core.config;

import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;

/** A static backend listed under a VIP. */
public record BackendConfig(String address, int port, String zone, String region, String rack, int weight) {

    public BackendConfig {
        zone = zone == null ? "" : zone;
        region = region == null ? "" : region;
        rack = rack == null ? "" : rack;
    }

    public Backend toBackend() {
        return Backend.ofStatic(address, port, new Locality(zone, region, rack), weight);
    }
}
