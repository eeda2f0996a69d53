package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** How the access log writes its records: not at all, one fixed-order text line, or one JSON object per line. */
public enum AccessLogFormat {
    OFF,
    TEXT,
    JSON;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static AccessLogFormat fromLabel(String label) {
        for (AccessLogFormat f : values()) {
            if (f.label().equals(label)) {
                return f;
            }
        }
        throw new IllegalArgumentException("'" + label + "' (expected one of: off, text, json)");
    }
}
