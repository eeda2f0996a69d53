package dev.halb.core.config;

import java.util.Objects;

/**
 * The access log: one record per client connection when it ends, and one per refused client.
 * A {@code null} component takes its default. Read when the replica starts.
 *
 * @param format {@code off}, {@code text} or {@code json}
 * @param path   the file records are appended to; "" = standard output
 */
public record AccessLogConfig(AccessLogFormat format, String path) {

    public static final AccessLogConfig DEFAULT = new AccessLogConfig(AccessLogFormat.OFF, "");

    public AccessLogConfig {
        format = Objects.requireNonNullElse(format, AccessLogFormat.OFF);
        path = Objects.requireNonNullElse(path, "");
    }

    public boolean enabled() {
        return format != AccessLogFormat.OFF;
    }
}
