package dev.halb.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin API as an operator and Prometheus see it, on a replica that carried real traffic. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestBackend a;
    private static TestBackend b;
    private static Replica replica;
    private static InetSocketAddress admin;

    @BeforeAll
    static void start() throws Exception {
        a = TestBackend.echo();
        b = TestBackend.echo();
        replica = Replica.start(TestConfigs.replica(TestConfigs.vip("web", a, b)), Replica.Options.defaults());
        admin = replica.adminAddress();
    }

    @AfterAll
    static void stop() {
        replica.close();
        a.close();
        b.close();
    }

    @Test
    void metricsReflectTheTrafficSent() throws Exception {
        double connectionsBefore = sample("halb_connections_total\\{vip=\"web\",}");
        double upBefore = sample("halb_bytes_total\\{vip=\"web\",direction=\"client_to_backend\",}");
        double downBefore = sample("halb_bytes_total\\{vip=\"web\",direction=\"backend_to_client\",}");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            byte[] data = new byte[100_000];
            new Random(7).nextBytes(data);
            for (int i = 0; i < 5; i++) {
                assertThat(Clients.roundTrip(replica.vipAddress("web"), data, pool)).hasSize(data.length);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sample("halb_connections_total\\{vip=\"web\",}") - connectionsBefore).isEqualTo(5);
        assertThat(sample("halb_bytes_total\\{vip=\"web\",direction=\"client_to_backend\",}") - upBefore)
                .isEqualTo(500_000);
        assertThat(sample("halb_bytes_total\\{vip=\"web\",direction=\"backend_to_client\",}") - downBefore)
                .isEqualTo(500_000);
        String text = Clients.get(admin, "/metrics").body();
        assertThat(text).contains("# TYPE halb_connect_seconds summary")
                .contains("halb_connections_active{vip=\"web\",}")
                .contains("halb_no_backend_total{vip=\"web\",}")
                .containsPattern("halb_connect_seconds_count\\{vip=\"web\",} [1-9]");
    }

    private static double sample(String regex) {
        HttpResponse<String> r = Clients.get(admin, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        Matcher m = Pattern.compile("(?m)^" + regex + " (\\S+)$").matcher(r.body());
        assertThat(m.find()).as("metric %s in:%n%s", regex, r.body()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void healthReadyAndStatus() throws Exception {
        HttpResponse<String> health = Clients.get(admin, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("serving");
        assertThat(Clients.get(admin, "/ready").statusCode()).isEqualTo(200);
        JsonNode status = JSON.readTree(Clients.get(admin, "/api/v1/status").body());
        assertThat(status.get("id").asText()).isEqualTo("test-replica");
        assertThat(status.get("transport").asText()).isEqualTo(replica.transport().label());
        assertThat(status.get("discovery").asText()).isEqualTo("static");
        assertThat(status.has("uptimeSeconds")).isTrue();
        assertThat(status.has("version")).isTrue();
        JsonNode direct = status.get("directMemory");
        long max = direct.get("maxBytes").asLong();
        assertThat(max).isPositive();
        assertThat(direct.get("readsPauseAtBytes").asLong()).isStrictlyBetween(0L, max);
        assertThat(direct.get("usedBytes").asLong()).isBetween(0L, max);
        // The tests run Netty's direct buffers as the jar does (java.nio opened, see the POM).
        assertThat(direct.get("jdkCleaner").asBoolean()).as(direct.toString()).isFalse();
    }

    @Test
    void vipsShowEveryBackend() throws Exception {
        JsonNode vips = JSON.readTree(Clients.get(admin, "/api/v1/vips").body());
        assertThat(vips).hasSize(1);
        JsonNode web = vips.get(0);
        assertThat(web.get("name").asText()).isEqualTo("web");
        assertThat(web.get("bound").asBoolean()).isTrue();
        assertThat(web.get("strategy").asText()).isEqualTo("p2c");
        assertThat(web.get("backends")).hasSize(2);
        JsonNode backend = web.get("backends").get(0);
        assertThat(web.findValuesAsText("id")).containsExactlyInAnyOrder("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port());
        assertThat(backend.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(backend.get("source").asText()).isEqualTo("static");
        assertThat(backend.get("state").asText()).isEqualTo("healthy");
        assertThat(backend.get("weight").asInt()).isEqualTo(100);
        assertThat(backend.has("activeConnections")).isTrue();
        assertThat(backend.has("zone")).isTrue();
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405WithJson() throws Exception {
        HttpResponse<String> missing = Clients.get(admin, "/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("message").asText()).contains("/nope");
        HttpResponse<String> wrong = Clients.send(HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + admin.getPort() + "/health"))
                .DELETE());
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).isPresent();
        assertThat(wrong.headers().firstValue("Content-Type")).hasValue("application/json");
    }
}
