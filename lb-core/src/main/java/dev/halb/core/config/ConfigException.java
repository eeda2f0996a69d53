package dev.halb.core.config;

import java.util.Objects;

/**
 * A configuration that cannot be used: a missing file, invalid YAML or JSON, an unknown key or an
 * invalid value. The message is meant for an operator as it stands, {@code <path>: <value>
 * (expected: ...)}, for example {@code vips[0].strategy: 'fastest' (expected one of: p2c,
 * round-robin, least-conn, random, maglev)}; it never carries a stack trace.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String value;

    /**
     * @param path    the key path, e.g. {@code vips[0].healthCheck.intervalMs}; "" for whole-file problems
     * @param value   the offending value as text, or {@code null} when there is none (a missing or unknown key)
     * @param message the whole message, starting with the path (or the file name when the path is "")
     */
    public ConfigException(String path, String value, String message) {
        this(path, value, message, null);
    }

    /** As {@link #ConfigException(String, String, String)}, keeping the parser's exception for debugging. */
    public ConfigException(String path, String value, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.path = Objects.requireNonNull(path, "path");
        this.value = value;
    }

    /** The key path, e.g. {@code vips[0].healthCheck.intervalMs}, or "" when the whole file is at fault. */
    public String path() {
        return path;
    }

    /** The offending value as text (after {@code ${ENV}} substitution), or {@code null}. */
    public String value() {
        return value;
    }
}
