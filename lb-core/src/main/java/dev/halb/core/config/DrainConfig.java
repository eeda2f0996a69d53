package dev.halb.core.config;

/**
 * Graceful shutdown after SIGTERM.
 *
 * @param delayMs   how long {@code /health} answers 503 while the replica still accepts
 * @param timeoutMs how long to wait for open connections after it stops accepting
 */
public record DrainConfig(long delayMs, long timeoutMs) {

    public static final DrainConfig DEFAULT = new DrainConfig(5_000, 30_000);
}
