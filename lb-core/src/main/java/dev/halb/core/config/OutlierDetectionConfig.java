package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Objects;

/**
 * Ejection of backends that fail real connects.
 *
 * @param consecutiveFailures failed connects in a row that eject a backend (0 = off)
 * @param baseEjectionMs      first ejection time; doubles on each repeat, capped at {@link #MAX_EJECTION_MS}
 * @param maxEjectionPercent  never more than this share of a VIP's backends ejected at once
 */
public record OutlierDetectionConfig(int consecutiveFailures, long baseEjectionMs, int maxEjectionPercent) {

    public static final long MAX_EJECTION_MS = 300_000;
    public static final OutlierDetectionConfig DEFAULT = new OutlierDetectionConfig(2, 5_000, 50);

    public OutlierDetectionConfig {
        Checks.range("consecutiveFailures", consecutiveFailures, 0, 1000);
        Checks.range("baseEjectionMs", baseEjectionMs, 1, MAX_EJECTION_MS);
        Checks.range("maxEjectionPercent", maxEjectionPercent, 0, 100);
    }

    /** The configuration of {@code outlierDetection}: every {@code null} takes its value from {@link #DEFAULT}. */
    @JsonCreator
    static OutlierDetectionConfig withDefaults(Integer consecutiveFailures, Long baseEjectionMs,
                                               Integer maxEjectionPercent) {
        return new OutlierDetectionConfig(Objects.requireNonNullElse(consecutiveFailures, DEFAULT.consecutiveFailures),
                Objects.requireNonNullElse(baseEjectionMs, DEFAULT.baseEjectionMs),
                Objects.requireNonNullElse(maxEjectionPercent, DEFAULT.maxEjectionPercent));
    }
}
