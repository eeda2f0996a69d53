package dev.halb.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halb.core.config.AdminConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Operator drain through the admin API: a drained backend gets no new
 * connection while its open ones go on; only a bearer token that matches {@code admin.token}
 * may drain.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OperatorDrainTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "secret"; // TestConfigs.replica's admin.token
    private static TestBackend a;
    private static TestBackend b;
    private static Replica replica;
    private static InetSocketAddress admin;
    private static ExecutorService writers;

    @BeforeAll
    static void start() throws Exception {
        a = TestBackend.echo();
        b = TestBackend.echo();
        replica = Replica.start(TestConfigs.replica(TestConfigs.vip("web", a, b)), Replica.Options.defaults());
        admin = replica.adminAddress();
        writers = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stop() {
        writers.shutdownNow();
        replica.close();
        a.close();
        b.close();
    }

    private static String path(String vip, String backend, String action) {
        return "/api/v1/vips/" + vip + "/backends/" + backend + "/" + action;
    }

    private static String id(TestBackend backend) {
        return "127.0.0.1:" + backend.port();
    }

    @Test
    void drainedBackendGetsNoNewConnectionWhileItsOpenOneKeepsFlowing() throws Exception {
        int aBefore = a.accepted();
        TestBackend drained;
        int drainedAccepted;
        try (Socket open = Clients.connect(replica.vipAddress("web"))) {
            assertThat(echo(open, "before")).isEqualTo("before");
            drained = a.accepted() > aBefore ? a : b;
            TestBackend other = drained == a ? b : a;
            drainedAccepted = drained.accepted();

            assertThat(Clients.post(admin, path("web", id(drained), "drain"), TOKEN).statusCode()).isEqualTo(204);
            assertThat(state(drained)).isEqualTo("drained");
            assertThat(state(other)).isEqualTo("healthy");

            assertThat(echo(open, "while drained")).as("the open connection goes on").isEqualTo("while drained");
            int otherAccepted = other.accepted();
            for (int i = 0; i < 30; i++) {
                byte[] data = ("new " + i).getBytes(StandardCharsets.US_ASCII);
                assertThat(Clients.roundTrip(replica.vipAddress("web"), data, writers)).isEqualTo(data);
            }
            assertThat(drained.accepted()).as("new connections to the drained backend").isEqualTo(drainedAccepted);
            assertThat(other.accepted()).isEqualTo(otherAccepted + 30);
            assertThat(echo(open, "still")).isEqualTo("still");
        }
        // with its connection closed, p2c has no reason to prefer the other one
        assertThat(Clients.post(admin, path("web", id(drained), "undrain"), TOKEN).statusCode()).isEqualTo(204);
        assertThat(state(drained)).isEqualTo("healthy");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            byte[] data = "again".getBytes(StandardCharsets.US_ASCII);
            Clients.roundTrip(replica.vipAddress("web"), data, writers);
            return drained.accepted() > drainedAccepted;
        });
    }

    @Test
    void drainAndUndrainAreIdempotent() {
        String drain = path("web", id(a), "drain");
        assertThat(Clients.post(admin, drain, TOKEN).statusCode()).isEqualTo(204);
        assertThat(Clients.post(admin, drain, TOKEN).statusCode()).isEqualTo(204);
        String undrain = path("web", id(a), "undrain");
        assertThat(Clients.post(admin, undrain, TOKEN).statusCode()).isEqualTo(204);
        assertThat(Clients.post(admin, undrain, TOKEN).statusCode()).isEqualTo(204);
        assertThat(state(a)).isEqualTo("healthy");
    }

    @Test
    void missingOrWrongTokenIs401AndChangesNothing() throws Exception {
        for (String token : new String[] {null, "wrong", "", "secret2", "Secret"}) {
            HttpResponse<String> r = Clients.post(admin, path("web", id(a), "drain"), token);
            assertThat(r.statusCode()).as("token %s", token).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(JSON.readTree(r.body()).get("message").asText()).isNotEmpty();
        }
        assertThat(state(a)).isEqualTo("healthy");
    }

    @Test
    void unknownVipOrBackendIs404() throws Exception {
        HttpResponse<String> vip = Clients.post(admin, path("nope", id(a), "drain"), TOKEN);
        assertThat(vip.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(vip.body()).get("message").asText()).contains("nope");
        HttpResponse<String> backend = Clients.post(admin, path("web", "127.0.0.1:1", "undrain"), TOKEN);
        assertThat(backend.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(backend.body()).get("message").asText()).contains("127.0.0.1:1");
    }

    @Test
    void postEndpointsAreForbiddenWithoutAConfiguredToken() throws Exception {
        HalbConfig config = TestConfigs.replica(TestConfigs.vip("web", a, b));
        HalbConfig noToken = new HalbConfig(config.replica(), config.discovery(),
                new AdminConfig(TestConfigs.ANY_LOOPBACK_PORT, ""), config.vips(), config.drain());
        try (Replica r = Replica.start(noToken, Replica.Options.defaults())) {
            for (String token : new String[] {null, "", "secret"}) {
                HttpResponse<String> response = Clients.post(r.adminAddress(), path("web", id(a), "drain"), token);
                assertThat(response.statusCode()).as("token %s", token).isEqualTo(403);
            }
            JsonNode backends = JSON.readTree(Clients.get(r.adminAddress(), "/api/v1/vips").body()).get(0).get("backends");
            assertThat(backends.findValuesAsText("state")).containsOnly("healthy");
        }
    }

    private static String echo(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        return new String(Clients.readExactly(in, text.length()), StandardCharsets.US_ASCII);
    }

    private static String state(TestBackend backend) {
        try {
            JsonNode vips = JSON.readTree(Clients.get(admin, "/api/v1/vips").body());
            for (JsonNode node : vips.get(0).get("backends")) {
                if (node.get("id").asText().equals(id(backend))) {
                    return node.get("state").asText();
                }
            }
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
