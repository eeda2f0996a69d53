package dev.halb.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import org.junit.jupiter.api.Test;

class HalbMetricsTest {

    @Test
    void labelValuesSurviveAnyCharacter() {
        String name = MetricName.encode("halb_x", "vip", "web", "backend", "a.b:80,\"q\"\\z\n");
        MetricName decoded = MetricName.decode(name);
        assertThat(decoded.base).isEqualTo("halb_x");
        assertThat(decoded.labelNames).containsExactly("vip", "backend");
        assertThat(decoded.labelValues).containsExactly("web", "a.b:80,\"q\"\\z\n");
    }

    @Test
    void exposesDesignNamesWithLabels() {
        HalbMetrics metrics = new HalbMetrics();
        VipMetrics web = metrics.forVip("web");
        Backend backend = Backend.ofStatic("10.0.0.1", 8080, Locality.ofZone("a"), 100);
        web.connectionOpened();
        web.bytesClientToBackend(10);
        web.bytesBackendToClient(20);
        web.connectFailed(backend);
        web.rejected(VipMetrics.Rejection.MAX_CONNECTIONS);
        web.zoneConnection("a");
        metrics.ejected("web", backend);
        metrics.registerBackendHealth("web", backend, () -> true);
        metrics.registerDiscoveryConnected(() -> false);
        String text = metrics.scrape();
        assertThat(text)
                .contains("halb_connections_total{vip=\"web\",} 2.0")
                .contains("halb_connections_active{vip=\"web\",} 1.0")
                .contains("halb_bytes_total{vip=\"web\",direction=\"client_to_backend\",} 10.0")
                .contains("halb_bytes_total{vip=\"web\",direction=\"backend_to_client\",} 20.0")
                .contains("halb_connect_failures_total{vip=\"web\",backend=\"10.0.0.1:8080\",} 1.0")
                .contains("halb_rejected_total{vip=\"web\",reason=\"max_connections\",} 1.0")
                .contains("halb_zone_connections_total{vip=\"web\",zone=\"a\",} 1.0")
                .contains("halb_ejections_total{vip=\"web\",backend=\"10.0.0.1:8080\",} 1.0")
                .contains("halb_backend_healthy{vip=\"web\",backend=\"10.0.0.1:8080\",zone=\"a\",} 1.0")
                .contains("halb_discovery_connected 0.0")
                .contains("# TYPE halb_connect_seconds summary");
        // One TYPE line per family, even with many label sets.
        assertThat(text.split("# TYPE halb_bytes_total ", -1)).hasSize(2);
        metrics.removeVip("web");
        assertThat(metrics.scrape()).doesNotContain("vip=\"web\"");
    }

    @Test
    void countersExistAtZeroFromTheStartWithRealHelpAndTheSummaryHasSumAndCount() {
        HalbMetrics metrics = new HalbMetrics();
        VipMetrics web = metrics.forVip("web");
        Backend backend = Backend.ofStatic("10.0.0.1", 8080, Locality.ofZone("a"), 100);
        metrics.registerBackendHealth("web", backend, () -> true);
        String fresh = metrics.scrape();
        assertThat(fresh)
                .contains("halb_connect_failures_total{vip=\"web\",backend=\"10.0.0.1:8080\",} 0.0")
                .contains("halb_ejections_total{vip=\"web\",backend=\"10.0.0.1:8080\",} 0.0")
                .contains("halb_resolve_failures_total{vip=\"web\",} 0.0")
                .contains("halb_no_backend_total{vip=\"web\",} 0.0")
                .contains("halb_zone_connections_total{vip=\"web\",zone=\"a\",} 0.0")
                .contains("halb_connect_seconds_count{vip=\"web\",} 0.0")
                .contains("halb_connect_seconds_sum{vip=\"web\",} 0.0")
                .doesNotContain("Generated from Dropwizard");
        assertThat(fresh.lines().filter(l -> l.startsWith("# HELP "))).allSatisfy(l -> {
            String[] parts = l.split(" ", 4);
            assertThat(parts).as(l).hasSize(4);
            assertThat(PrometheusExposition.HELP).as(l).containsKey(parts[2].replaceAll("_total$", ""));
        });

        web.connectSucceeded(backend, 2_000_000);
        web.connectSucceeded(backend, 4_000_000);
        web.connectFailed(backend);
        String after = metrics.scrape();
        assertThat(after)
                .contains("# HELP halb_connect_seconds Backend connect latency in seconds.")
                .contains("# TYPE halb_connect_seconds summary")
                .contains("halb_connect_seconds_count{vip=\"web\",} 2.0")
                .contains("halb_connect_seconds_sum{vip=\"web\",} 0.006")
                .contains("halb_connect_seconds{vip=\"web\",quantile=\"0.5\",}")
                .contains("halb_connect_failures_total{vip=\"web\",backend=\"10.0.0.1:8080\",} 1.0");

        // A backend that leaves takes its series along; the VIP's stay.
        metrics.removeBackendHealth("web", backend);
        assertThat(metrics.scrape()).doesNotContain("10.0.0.1:8080").contains("halb_resolve_failures_total");
    }
}
