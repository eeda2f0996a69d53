package dev.halb.core.proxy;

import dev.halb.core.balance.Endpoint;
import dev.halb.core.balance.ZoneRouting;
import dev.halb.core.config.Strategy;

/**
 * The access log's {@code pick}: the VIP's strategy and the zone decision behind the backend,
 * {@code <strategy>/<mode>}. With zone routing active the mode is {@code local} (the backend is in
 * this replica's zone) or {@code spill} (the split sent it elsewhere); without, it is the fallback
 * that turned zone routing off ({@code disabled}, {@code no_local_zone}, {@code below_min_backends},
 * {@code no_local_candidates}, {@code no_candidates}). Every label is built once, here: a record
 * only refers to one.
 */
final class PickLabels {

    private static final int LOCAL = 0;
    private static final int SPILL = 1;
    private static final String[][] LABELS = new String[Strategy.values().length][2 + ZoneRouting.Mode.values().length];

    static {
        for (Strategy s : Strategy.values()) {
            String[] row = LABELS[s.ordinal()];
            row[LOCAL] = s.label() + "/local";
            row[SPILL] = s.label() + "/spill";
            for (ZoneRouting.Mode m : ZoneRouting.Mode.values()) {
                row[2 + m.ordinal()] = s.label() + "/" + m.label();
            }
        }
    }

    private PickLabels() {
    }

    /** Runs the static initialiser (the table) now. */
    static void load() {
    }

    /** How {@code endpoint} was chosen under {@code routing}; {@code endpoint == null}: no backend was a candidate. */
    static String of(Strategy strategy, ZoneRouting routing, Endpoint endpoint) {
        String[] row = LABELS[strategy.ordinal()];
        if (endpoint == null) {
            return row[2 + ZoneRouting.Mode.NO_CANDIDATES.ordinal()];
        }
        if (!routing.active()) {
            return row[2 + routing.mode().ordinal()];
        }
        return endpoint.zone().equals(routing.localZone()) ? row[LOCAL] : row[SPILL];
    }
}
