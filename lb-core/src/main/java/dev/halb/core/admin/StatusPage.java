package dev.halb.core.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * The status page at GET /: one HTML document with its style and script inline (nothing is
 * fetched from elsewhere), rendered here from the same JSON the API serves (status, VIPs,
 * replicas) and from the metrics text, so that it reads whole without JavaScript. Its script
 * (status.js) then fetches that JSON every 2 s and renders the same markup again, adding what
 * needs two samples: connections per second.
 *
 * Rendering works on JSON trees rather than the view records, so a field a view gains (a VIP's
 * regionRouting) shows on the page as soon as the API has it, in both renderers alike.
 */
final class StatusPage {

    private static final String TEMPLATE = resource("status.html");
    private static final String CSS = resource("status.css");
    private static final String SCRIPT = resource("status.js");

    /** {@code name{label="value",...} number}: one sample of the Prometheus text format. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)\\}\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The zone colours; a zone's colour is fixed by its name (the script computes the same). */
    /** No red, orange, green or grey among them: those are the states' colours. */
    static final String[] PALETTE = {"#4e79a7", "#7b5ea7", "#2f9e9e", "#9c755f", "#c05a9b", "#3d6fb6", "#8a8f2a",
        "#5b5fc7", "#1f7a8c", "#a0785a"};

    private StatusPage() {
    }

    private static String resource(String name) {
        try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("status page resource missing from the jar: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole page for these snapshots. */
    static String render(JsonNode status, JsonNode vips, JsonNode replicas, String metricsText) {
        Metrics m = Metrics.parse(metricsText);
        StringBuilder header = new StringBuilder();
        renderHeader(status, header);
        StringBuilder body = new StringBuilder();
        for (JsonNode vip : vips) {
            renderVip(vip, m, body);
        }
        if (vips.isEmpty()) {
            body.append("<p class=\"empty\">No VIPs.</p>");
        }
        renderReplicas(replicas, status.path("id").asText(), body);
        return TEMPLATE.replace("{{title}}", esc("halb " + status.path("id").asText()))
                .replace("{{css}}", CSS)
                .replace("{{header}}", header)
                .replace("{{content}}", body)
                .replace("{{script}}", SCRIPT);
    }

    static int zoneColour(String zone) {
        int h = 0;
        for (int i = 0; i < zone.length(); i++) {
            h = h * 31 + zone.charAt(i);
        }
        return Math.floorMod(h, PALETTE.length);
    }

    private static void renderHeader(JsonNode s, StringBuilder out) {
        String state = s.path("state").asText();
        out.append("<h1>halb</h1><span class=\"rid\">").append(esc(s.path("id").asText())).append("</span>");
        out.append("<span class=\"pill ").append(cls(state)).append("\">").append(esc(state)).append("</span>");
        out.append("<dl>");
        item("zone", orDash(s.path("zone").asText()), out);
        item("region", orDash(s.path("region").asText()), out);
        String discovery = s.path("discovery").asText();
        out.append("<div><dt>discovery</dt><dd class=\"disc ").append(cls(discovery)).append("\">")
                .append(esc(discovery)).append("</dd></div>");
        item("transport", s.path("transport").asText(), out);
        JsonNode direct = s.path("directMemory");
        if (direct.isObject()) {
            item("direct memory", mebibytes(direct.path("usedBytes").asLong()) + " of "
                    + mebibytes(direct.path("maxBytes").asLong()) + " MiB", out);
        }
        item("uptime", duration(s.path("uptimeSeconds").asLong()), out);
        item("version", s.path("version").asText(), out);
        JsonNode reload = s.path("lastReload");
        if (reload.isObject()) {
            item("last reload", reload.path("result").asText() + " " + reload.path("at").asText(""), out);
        }
        out.append("</dl>");
    }

    private static void item(String name, String value, StringBuilder out) {
        out.append("<div><dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd></div>");
    }

    private static void renderVip(JsonNode v, Metrics m, StringBuilder out) {
        String name = v.path("name").asText();
        out.append("<section class=\"vip\" data-vip=\"").append(esc(name)).append("\">");
        out.append("<div class=\"vip-head\"><h2>").append(esc(name)).append("</h2>");
        // The address really bound (a configured port 0 is the kernel's pick), else the configured one.
        String bind = v.hasNonNull("address") ? v.path("address").asText() : v.path("bind").asText();
        out.append("<span class=\"bind\">").append(esc(bind)).append("</span>");
        out.append("<span class=\"tag\">").append(esc(v.path("strategy").asText())).append("</span>");
        out.append("<span class=\"tag\">").append(esc(v.path("source").asText())).append("</span>");
        if (!v.path("bound").asBoolean()) {
            out.append("<span class=\"pill bad\">not bound</span>");
        }
        if (v.hasNonNull("error")) {
            out.append("<span class=\"err\">").append(esc(v.path("error").asText())).append("</span>");
        }
        out.append("<div class=\"stats\">");
        int healthy = 0;
        for (JsonNode b : v.path("backends")) {
            healthy += "healthy".equals(b.path("state").asText()) ? 1 : 0;
        }
        int all = v.path("backends").size();
        stat("healthy", healthy + " / " + all, healthy < all ? "warn" : "", out);
        stat("active", v.path("activeConnections").asInt() + " / " + v.path("maxConnections").asInt(), "", out);
        stat("conn/s", "…", "rate", out);
        stat("total", count(m.value("halb_connections_total", "vip", name)), "", out);
        stat("rejected", count(m.sum("halb_rejected_total", "vip", name)), "", out);
        out.append("</div></div>");
        split("zones", v.path("zoneRouting"), "split", "localZone", out);
        if (v.path("regionRouting").isObject()) {
            split("regions", v.path("regionRouting"), "regions", "local", out);
        }
        out.append("<table class=\"backends\"><thead><tr><th>state</th><th>backend</th><th>address</th><th>zone</th><th>region</th>"
                + "<th class=\"n\">weight</th><th class=\"n\">active</th><th class=\"n\">connect failures</th>"
                + "<th class=\"n\">ejections</th><th>source</th></tr></thead><tbody>");
        for (JsonNode b : v.path("backends")) {
            String id = b.path("id").asText();
            String state = b.path("state").asText();
            String zone = b.path("zone").asText();
            out.append("<tr class=\"backend st-").append(cls(state)).append("\" data-backend=\"").append(esc(id))
                    .append("\"><td><span class=\"state ").append(cls(state)).append("\">").append(esc(state))
                    .append("</span></td><td class=\"id\">").append(esc(id)).append("</td><td>");
            String address = b.path("address").asText() + ":" + b.path("port").asInt();
            // The id is often the address itself: said once.
            out.append(address.equals(id) ? "<span class=\"muted\" title=\"same as the backend id\">=</span>" : esc(address)).append("</td><td>");
            zoneChip(zone, out);
            out.append("</td><td>");
            // The region in the colour of its segment in the region bar.
            zoneChip(b.path("region").asText(), out);
            out.append("</td><td class=\"n\">").append(b.path("weight").asInt())
                    .append("</td><td class=\"n\">").append(b.path("activeConnections").asInt())
                    .append("</td><td class=\"n\">").append(count(m.value("halb_connect_failures_total", "vip", name, "backend", id)))
                    .append("</td><td class=\"n\">").append(count(m.value("halb_ejections_total", "vip", name, "backend", id)))
                    .append("</td><td>").append(esc(b.path("source").asText())).append("</td></tr>");
        }
        if (v.path("backends").isEmpty()) {
            out.append("<tr><td colspan=\"10\" class=\"empty\">no backends</td></tr>");
        }
        out.append("</tbody></table></section>");
    }

    private static void stat(String name, String value, String cls, StringBuilder out) {
        out.append("<div class=\"stat ").append(cls).append("\"><b>").append(esc(value)).append("</b><small>")
                .append(esc(name)).append("</small></div>");
    }

    /**
     * A split (zone or region -> share) as one stacked bar, with its mode and why; {@code shares}
     * and {@code local} name the routing view's fields (zoneRouting: split, localZone;
     * regionRouting: regions, local).
     */
    private static void split(String label, JsonNode routing, String shares, String local, StringBuilder out) {
        out.append("<div class=\"split\"><span class=\"split-label\">").append(label).append("</span><div class=\"bar\">");
        JsonNode split = routing.path(shares);
        boolean any = false;
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) split::fields) {
            double share = e.getValue().asDouble();
            if (share <= 0) {
                continue;
            }
            any = true;
            String key = e.getKey();
            String pct = String.format(Locale.ROOT, "%.0f%%", share * 100);
            out.append("<span class=\"seg\" style=\"width:").append(String.format(Locale.ROOT, "%.2f", share * 100))
                    .append("%;background:").append(PALETTE[zoneColour(key)]).append("\" title=\"")
                    .append(esc(orNone(key) + " " + pct)).append("\">").append(esc(orNone(key) + " " + pct))
                    .append("</span>");
        }
        if (!any) {
            out.append("<span class=\"seg none\">no candidates</span>");
        }
        out.append("</div><span class=\"mode\">").append(esc(routing.path("mode").asText()));
        String reason = routing.path("reason").asText("");
        if (!reason.isEmpty()) {
            out.append(" · ").append(esc(reason));
        }
        if (!routing.path(local).asText("").isEmpty()) {
            out.append(" · local ").append(esc(routing.path(local).asText()));
        }
        out.append("</span></div>");
    }

    private static void zoneChip(String zone, StringBuilder out) {
        if (zone.isEmpty()) {
            out.append("<span class=\"muted\">-</span>");
            return;
        }
        out.append("<span class=\"zone\" style=\"--z:").append(PALETTE[zoneColour(zone)]).append("\">")
                .append(esc(zone)).append("</span>");
    }

    private static void renderReplicas(JsonNode replicas, String self, StringBuilder out) {
        Map<String, List<JsonNode>> byZone = new TreeMap<>();
        for (JsonNode r : replicas) {
            byZone.computeIfAbsent(r.path("zone").asText(), z -> new ArrayList<>()).add(r);
        }
        out.append("<section id=\"replicas\"><h2>Replicas <small>").append(replicas.size())
                .append(" registered, by zone</small></h2><div class=\"zones\">");
        for (Map.Entry<String, List<JsonNode>> e : byZone.entrySet()) {
            out.append("<div class=\"zone-col\"><h3>");
            if (e.getKey().isEmpty()) {
                out.append("no zone");
            } else {
                zoneChip(e.getKey(), out);
            }
            out.append("</h3>");
            for (JsonNode r : e.getValue()) {
                String id = r.path("id").asText();
                String state = r.path("state").asText(r.path("peerState").asText("registered"));
                boolean isSelf = id.equals(self);
                out.append("<div class=\"replica").append(isSelf ? " self" : "").append("\" data-replica=\"")
                        .append(esc(id)).append("\"><b>").append(esc(id)).append("</b>")
                        .append(isSelf ? " <span class=\"tag\">this replica</span>" : "")
                        .append(" <span class=\"state ").append(cls(state)).append("\">").append(esc(state))
                        .append("</span><div class=\"muted\">").append(esc(r.path("address").asText()))
                        .append(" · admin ").append(esc(r.path("admin").asText()));
                if (!r.path("region").asText().isEmpty()) {
                    out.append(" · region ").append(esc(r.path("region").asText()));
                }
                out.append("</div><div class=\"muted\">");
                List<String> binds = new ArrayList<>();
                for (JsonNode b : r.path("vips")) {
                    binds.add(b.path("name").asText() + " " + b.path("bind").asText());
                }
                out.append(esc(binds.isEmpty() ? "no VIPs" : String.join(", ", binds))).append("</div></div>");
            }
            out.append("</div>");
        }
        out.append("</div></section>");
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m " + seconds % 60 + "s";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h " + seconds / 60 % 60 + "m";
        }
        return seconds / 86400 + "d " + seconds / 3600 % 24 + "h";
    }

    private static String count(double v) {
        return Double.isNaN(v) ? "-" : String.valueOf((long) v);
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024));
    }

    private static String orDash(String s) {
        return s.isEmpty() ? "-" : s;
    }

    private static String orNone(String zone) {
        return zone.isEmpty() ? "(none)" : zone;
    }

    /** A CSS class from a state word: lower-case letters, digits and dashes. */
    private static String cls(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** The samples of a Prometheus text exposition that the page shows, by name and labels. */
    static final class Metrics {
        private final List<Map.Entry<String, Map<String, String>>> keys = new ArrayList<>();
        private final List<Double> values = new ArrayList<>();

        static Metrics parse(String text) {
            Metrics m = new Metrics();
            for (String line : text.split("\n")) {
                Matcher s = SAMPLE.matcher(line);
                if (!s.matches()) {
                    continue;
                }
                Map<String, String> labels = new LinkedHashMap<>();
                Matcher l = LABEL.matcher(s.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
                }
                try {
                    m.values.add(Double.parseDouble(s.group(3)));
                } catch (NumberFormatException e) {
                    continue;
                }
                m.keys.add(Map.entry(s.group(1), labels));
            }
            return m;
        }

        /** The sample named {@code name} whose labels include {@code pairs}; NaN when there is none. */
        double value(String name, String... pairs) {
            double sum = sum(name, pairs);
            return sum;
        }

        /** The sum of the samples named {@code name} whose labels include {@code pairs}; NaN when there are none. */
        double sum(String name, String... pairs) {
            double total = Double.NaN;
            for (int i = 0; i < keys.size(); i++) {
                Map.Entry<String, Map<String, String>> k = keys.get(i);
                if (!k.getKey().equals(name) || !matches(k.getValue(), pairs)) {
                    continue;
                }
                total = Double.isNaN(total) ? values.get(i) : total + values.get(i);
            }
            return total;
        }

        private static boolean matches(Map<String, String> labels, String[] pairs) {
            for (int i = 0; i < pairs.length; i += 2) {
                if (!pairs[i + 1].equals(labels.get(pairs[i]))) {
                    return false;
                }
            }
            return true;
        }
    }
}
