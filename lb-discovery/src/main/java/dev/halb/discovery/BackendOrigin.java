package dev.halb.discovery;

import java.util.Locale;

/** Where a backend was configured or discovered (not to be confused with a {@link BackendSource}, which reports backends). Shown in the admin API as {@code static} or {@code zookeeper}. */
public enum BackendOrigin {
    STATIC,
    ZOOKEEPER;

    /** The lower-case name used in JSON and metrics. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
