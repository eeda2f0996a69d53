package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** Whether a PROXY protocol header is sent to backends before the client's bytes. */
public enum ProxyProtocol {
    OFF,
    V1,
    V2;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ProxyProtocol fromLabel(String label) {
        for (ProxyProtocol p : values()) {
            if (p.label().equals(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("'" + label + "' (expected one of: off, v1, v2)");
    }
}
