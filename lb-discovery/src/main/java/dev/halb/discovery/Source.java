package dev.halb.discovery;

import java.util.Locale;

/** Who reported a backend. Shown in the admin API as {@code static} or {@code zookeeper}. */
public enum Source {
    STATIC,
    ZOOKEEPER;

    /** The lower-case name used in JSON and metrics. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
