package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import java.util.Objects;

/**
 * A static backend listed under a VIP.
 *
 * @param address a host name or IP address; an IPv6 literal may be written in brackets, as in a URL
 * @param port    1-65535
 * @param zone    "" = none; likewise {@code region} and {@code rack}
 * @param weight  1-{@value Backend#MAX_WEIGHT}
 */
public record BackendConfig(String address, int port, String zone, String region, String rack, int weight) {

    private static final String ADDRESS = "expected: a host name or IP address";
    private static final int MAX_PORT = 65535;

    public BackendConfig {
        Checks.required("address", address, ADDRESS);
        if (address.startsWith("[") && address.endsWith("]")) {
            // [v6] as in a URL; the backend id adds the brackets back.
            address = address.substring(1, address.length() - 1);
        }
        if (address.isEmpty() || address.contains("/") || Checks.hasSpaceOrControl(address)) {
            throw InvalidValueException.of("address", address, ADDRESS);
        }
        Checks.range("port", port, 1, MAX_PORT);
        zone = Objects.requireNonNullElse(zone, "");
        region = Objects.requireNonNullElse(region, "");
        rack = Objects.requireNonNullElse(rack, "");
        Checks.range("weight", weight, 1, Backend.MAX_WEIGHT);
    }

    /** The configuration of one {@code backends} entry: address and port are required, the rest have defaults. */
    @JsonCreator
    static BackendConfig withDefaults(String address, Integer port, String zone, String region, String rack,
                                      Integer weight) {
        Checks.required("address", address, ADDRESS);
        Checks.required("port", port, Checks.integer(1, MAX_PORT));
        return new BackendConfig(address, port, zone, region, rack,
                Objects.requireNonNullElse(weight, Backend.DEFAULT_WEIGHT));
    }

    /** Backends are identified by address:port. */
    public String id() {
        return Backend.staticId(address, port);
    }

    public Backend toBackend() {
        return Backend.ofStatic(address, port, new Locality(zone, region, rack), weight);
    }
}
