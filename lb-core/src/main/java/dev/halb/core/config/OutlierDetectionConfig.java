package dev.halb.core.config;

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
}
