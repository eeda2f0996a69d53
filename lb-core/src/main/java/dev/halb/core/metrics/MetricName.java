package dev.halb.core.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Prometheus names and labels carried through Dropwizard's flat string names.
 *
 * <p>Dropwizard 4 has no labels, so a metric is registered as {@code base{k="v",k2="v2"}} with
 * values escaped as in the Prometheus text format; {@link PrometheusExposition} splits it
 * back. Label values may hold any character (backend ids often hold dots and colons), which the
 * glob-based mappers of the Prometheus bridge cannot express.
 */
final class MetricName {

    final String base;
    final List<String> labelNames;
    final List<String> labelValues;

    private MetricName(String base, List<String> labelNames, List<String> labelValues) {
        this.base = base;
        this.labelNames = labelNames;
        this.labelValues = labelValues;
    }

    /** Encodes {@code base} with label pairs {@code k1, v1, k2, v2, ...}. */
    static String encode(String base, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels: odd count " + labels.length + " (expected: name, value pairs)");
        }
        if (labels.length == 0) {
            return base;
        }
        StringBuilder sb = new StringBuilder(base).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(labels[i]).append("=\"");
            String v = labels[i + 1];
            for (int j = 0; j < v.length(); j++) {
                char c = v.charAt(j);
                switch (c) {
                    case '\\' -> sb.append("\\\\");
                    case '"' -> sb.append("\\\"");
                    case '\n' -> sb.append("\\n");
                    default -> sb.append(c);
                }
            }
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** Decodes what {@link #encode} wrote; a plain name has no labels. */
    static MetricName decode(String name) {
        int brace = name.indexOf('{');
        if (brace < 0 || !name.endsWith("}")) {
            return new MetricName(name, List.of(), List.of());
        }
        List<String> names = new ArrayList<>(2);
        List<String> values = new ArrayList<>(2);
        int i = brace + 1;
        int end = name.length() - 1;
        while (i < end) {
            int eq = name.indexOf('=', i);
            names.add(name.substring(i, eq));
            i = eq + 2; // skip ="
            StringBuilder v = new StringBuilder();
            while (i < end) {
                char c = name.charAt(i++);
                if (c == '\\' && i < end) {
                    char e = name.charAt(i++);
                    v.append(e == 'n' ? '\n' : e);
                } else if (c == '"') {
                    break;
                } else {
                    v.append(c);
                }
            }
            values.add(v.toString());
            if (i < end && name.charAt(i) == ',') {
                i++;
            }
        }
        return new MetricName(name.substring(0, brace), names, values);
    }
}
