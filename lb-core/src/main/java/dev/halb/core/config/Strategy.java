package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How a backend is chosen among the candidates. */
public enum Strategy {
    P2C("p2c"),
    ROUND_ROBIN("round-robin"),
    LEAST_CONN("least-conn"),
    RANDOM("random"),
    MAGLEV("maglev");

    private final String label;

    Strategy(String label) {
        this.label = label;
    }

    /** The name used in configuration and the admin API. */
    public String label() {
        return label;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Strategy fromLabel(String label) {
        for (Strategy s : values()) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("'" + label + "' (expected one of: " + labels() + ")");
    }

    public static String labels() {
        return Arrays.stream(values()).map(Strategy::label).collect(Collectors.joining(", "));
    }
}
