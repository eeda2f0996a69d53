package dev.halb.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code config/grafana/halb.json} is a Grafana dashboard that parses, and every metric its
 * queries name is one halb exports: seen in a live scrape of a replica that carried traffic, or,
 * for the few that only some replicas have (ZooKeeper's), a documented family.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrafanaDashboardTest {

    private static final Pattern METRIC = Pattern.compile("\\bhalb_[a-z0-9_]+");
    private static final Pattern SAMPLE_NAME = Pattern.compile("^(halb_[a-z0-9_]+)", Pattern.MULTILINE);

    static Path dashboard() {
        return Path.of(System.getProperty("user.dir")).resolveSibling("config").resolve("grafana/halb.json");
    }

    @Test
    void isAValidDashboardWhoseQueriesNameOnlyExportedMetrics() throws Exception {
        JsonNode d = new ObjectMapper().readTree(Files.readString(dashboard()));
        assertThat(d.path("title").asText()).isEqualTo("halb");
        assertThat(d.path("panels").isArray()).isTrue();
        List<String> queries = new ArrayList<>();
        for (JsonNode p : d.path("panels")) {
            assertThat(p.path("title").asText()).as("panel title").isNotBlank();
            assertThat(p.path("targets")).as("queries of " + p.path("title")).isNotEmpty();
            p.path("targets").forEach(t -> queries.add(t.path("expr").asText()));
        }
        d.path("templating").path("list").forEach(v -> queries.add(v.path("definition").asText("")));

        Set<String> used = new TreeSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                used.add(m.group());
            }
        }
        assertThat(used).as("metrics the dashboard queries").hasSizeGreaterThan(10);

        Set<String> scraped = new TreeSet<>();
        try (TestBackend echo = TestBackend.echo();
             Replica replica = Replica.start(TestConfigs.replica(TestConfigs.vip("web", echo)), Replica.Options.defaults())) {
            try (Socket s = Clients.connect(replica.vipAddress("web"))) {
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x');
            }
            Matcher m = SAMPLE_NAME.matcher(replica.admin().metrics());
            while (m.find()) {
                scraped.add(m.group(1));
            }
        }
        for (String name : used) {
            if (scraped.contains(name)) {
                continue;
            }
            // Only on some replicas (halb_discovery_connected needs ZooKeeper): a documented gauge.
            assertThat(PrometheusExposition.HELP).as(name + " is neither scraped nor a documented metric family")
                    .containsKey(name);
        }
        // The panels the dashboard exists for.
        assertThat(used).contains("halb_connections_total", "halb_connections_active", "halb_bytes_total",
                "halb_connect_failures_total", "halb_connect_seconds", "halb_backend_healthy",
                "halb_zone_connections_total", "halb_ejections_total", "halb_rejected_total", "halb_discovery_connected");
    }
}
