package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** Active health check kinds. */
public enum HealthCheckType {
    TCP,
    HTTP,
    NONE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static HealthCheckType fromLabel(String label) {
        for (HealthCheckType t : values()) {
            if (t.label().equals(label)) {
                return t;
            }
        }
        throw new IllegalArgumentException("'" + label + "' (expected one of: tcp, http, none)");
    }
}
