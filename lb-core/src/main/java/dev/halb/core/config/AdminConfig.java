package dev.halb.core.config;

import java.util.Objects;

/**
 * The admin HTTP API.
 *
 * @param bind  where it listens
 * @param token bearer token for POST endpoints; "" = POST endpoints disabled (403)
 */
public record AdminConfig(BindAddress bind, String token) {

    public static final AdminConfig DEFAULT = new AdminConfig(new BindAddress("127.0.0.1", 9990), "");

    public AdminConfig {
        Objects.requireNonNull(bind, "bind");
        token = token == null ? "" : token;
    }
}
