package dev.halb.core.health;

import java.util.Locale;

/** What active health checks and outlier ejection say about one backend (operator drain aside). */
public enum HealthStatus {
    /** Passing its checks and not ejected: a candidate, unless drained. */
    HEALTHY,
    /** Failing its checks, not checked yet, or its ejection is over and no check has passed since. */
    UNHEALTHY,
    /** Ejected by outlier detection after failed connects, while the ejection is in force. */
    EJECTED;

    /** The name in {@code /api/v1/vips}: {@code healthy}, {@code unhealthy} or {@code ejected}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
