package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Objects;

/**
 * Graceful shutdown after SIGTERM.
 *
 * @param delayMs   how long {@code /health} answers 503 while the replica still accepts
 * @param timeoutMs how long to wait for open connections after it stops accepting
 */
public record DrainConfig(long delayMs, long timeoutMs) {

    public static final DrainConfig DEFAULT = new DrainConfig(5_000, 30_000);

    private static final long MAX_MS = 3_600_000;

    public DrainConfig {
        Checks.range("delayMs", delayMs, 0, MAX_MS);
        Checks.range("timeoutMs", timeoutMs, 0, MAX_MS);
    }

    /** The configuration of {@code drain}: every {@code null} takes its value from {@link #DEFAULT}. */
    @JsonCreator
    static DrainConfig withDefaults(Long delayMs, Long timeoutMs) {
        return new DrainConfig(Objects.requireNonNullElse(delayMs, DEFAULT.delayMs),
                Objects.requireNonNullElse(timeoutMs, DEFAULT.timeoutMs));
    }
}
