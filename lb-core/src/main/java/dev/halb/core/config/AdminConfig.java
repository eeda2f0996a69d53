package dev.halb.core.config;

import java.util.Objects;

/**
 * The admin HTTP API. A {@code null} component takes its default.
 *
 * @param bind  where it listens
 * @param token bearer token for POST endpoints; "" = POST endpoints disabled (403)
 */
public record AdminConfig(BindAddress bind, String token) {

    private static final BindAddress DEFAULT_BIND = new BindAddress("127.0.0.1", 9990);
    public static final AdminConfig DEFAULT = new AdminConfig(DEFAULT_BIND, "");

    public AdminConfig {
        bind = Objects.requireNonNullElse(bind, DEFAULT_BIND);
        token = Objects.requireNonNullElse(token, "");
    }
}
