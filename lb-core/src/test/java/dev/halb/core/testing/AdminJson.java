package dev.halb.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading the admin API as an operator's script would. */
public final class AdminJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AdminJson() {
    }

    public static JsonNode get(InetSocketAddress admin, String path) {
        HttpResponse<String> r = Clients.get(admin, path);
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON from " + path + ": " + r.body(), e);
        }
    }

    /** The VIP named {@code name} in {@code GET /api/v1/vips}, or {@code null}. */
    public static JsonNode vip(InetSocketAddress admin, String name) {
        for (JsonNode v : get(admin, "/api/v1/vips")) {
            if (name.equals(v.get("name").asText())) {
                return v;
            }
        }
        return null;
    }

    /** The ids of a VIP's backends, in the API's order (by id); empty when the VIP is unknown. */
    public static List<String> backendIds(InetSocketAddress admin, String vip) {
        List<String> ids = new ArrayList<>();
        JsonNode v = vip(admin, vip);
        if (v != null) {
            v.get("backends").forEach(b -> ids.add(b.get("id").asText()));
        }
        return ids;
    }

    /** The ids in {@code GET /api/v1/replicas}. */
    public static List<String> replicaIds(InetSocketAddress admin) {
        List<String> ids = new ArrayList<>();
        get(admin, "/api/v1/replicas").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    /** One sample of {@code GET /metrics}; {@code sample} is a regex of the name with its labels. */
    public static double metric(InetSocketAddress admin, String sample) {
        String body = Clients.get(admin, "/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + sample + " (\\S+)$").matcher(body);
        assertThat(m.find()).as("metric %s in:%n%s", sample, body).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Whether {@code GET /metrics} has a sample whose name and labels match {@code sample}. */
    public static boolean hasMetric(InetSocketAddress admin, String sample) {
        return Pattern.compile("(?m)^" + sample + " ").matcher(Clients.get(admin, "/metrics").body()).find();
    }
}
