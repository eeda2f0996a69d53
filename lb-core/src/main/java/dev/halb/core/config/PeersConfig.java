package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Objects;

/**
 * How replicas probe each other's admin {@code /health}.
 *
 * @param probeIntervalMs    time between two probes of one peer
 * @param timeoutMs          a probe without an answer by then has failed
 * @param unhealthyThreshold failed probes in a row that mark a peer down
 */
public record PeersConfig(long probeIntervalMs, long timeoutMs, int unhealthyThreshold) {

    public static final PeersConfig DEFAULT = new PeersConfig(1_000, 500, 2);

    private static final long MAX_MS = 600_000;

    public PeersConfig {
        Checks.range("probeIntervalMs", probeIntervalMs, 10, MAX_MS);
        Checks.range("timeoutMs", timeoutMs, 10, MAX_MS);
        Checks.range("unhealthyThreshold", unhealthyThreshold, 1, 100);
    }

    /** The configuration of {@code peers}: every {@code null} takes its value from {@link #DEFAULT}. */
    @JsonCreator
    static PeersConfig withDefaults(Long probeIntervalMs, Long timeoutMs, Integer unhealthyThreshold) {
        return new PeersConfig(Objects.requireNonNullElse(probeIntervalMs, DEFAULT.probeIntervalMs),
                Objects.requireNonNullElse(timeoutMs, DEFAULT.timeoutMs),
                Objects.requireNonNullElse(unhealthyThreshold, DEFAULT.unhealthyThreshold));
    }

    /** The longest a dead peer stays in the answers: every threshold probe times out. */
    public long detectionBoundMs() {
        return probeIntervalMs * unhealthyThreshold + timeoutMs;
    }
}
