package dev.halb.core.admin;

import static dev.halb.core.admin.AdminFixture.assertClosedByServer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every error the admin server sends, whoever in its pipeline sends it, is JSON
 * {@code {"error", "message"}} in plain words: no exception class, no library name.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEN_MB = 10 * 1024 * 1024;

    @RegisterExtension
    final AdminFixture admin = new AdminFixture();
    private final ExecutorService writer = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws Exception {
        admin.start(AdminServer.REQUEST_TIMEOUT_MS, AdminServer.IDLE_TIMEOUT_MS, AdminServer.MAX_CONNECTIONS);
    }

    @AfterEach
    void stopWriting() {
        writer.shutdownNow();
    }

    @Test
    void aTenMegabyteBodyGets413WithJsonAndIsReadToItsEndSoTheAnswerIsNotReset() throws Exception {
        Socket s = admin.send("POST /api/v1/vips/web/backends/b/drain HTTP/1.1\r\nHost: admin\r\n"
                + "Authorization: Bearer secret\r\nContent-Length: " + TEN_MB + "\r\n\r\n");
        Future<?> body = writer.submit(() -> {
            byte[] chunk = new byte[64 * 1024];
            OutputStream out = s.getOutputStream();
            for (int sent = 0; sent < TEN_MB; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            return null;
        });

        AdminFixture.Reply r = AdminFixture.read(s);
        JsonNode error = assertJsonError(r, 413, "request_entity_too_large");
        assertThat(error.get("message").asText()).contains(String.valueOf(AdminServer.MAX_BODY_BYTES));
        assertThat(r.header("Connection")).isEqualTo("close");
        body.get(30, TimeUnit.SECONDS); // every byte taken, none refused with a reset
        assertClosedByServer(s);
    }

    @Test
    void aTooLargeBodyAnnouncedWithExpectContinueGets413WithJson() throws Exception {
        Socket s = admin.send("POST /api/v1/vips/web/backends/b/drain HTTP/1.1\r\nHost: admin\r\n"
                + "Expect: 100-continue\r\nContent-Length: " + TEN_MB + "\r\n\r\n");
        assertJsonError(AdminFixture.read(s), 413, "request_entity_too_large");
        assertClosedByServer(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/9.9", "HTTP/2.0", "HTTP/0.9"})
    void otherHttpVersionsGet505AndTheConnectionCloses(String version) throws Exception {
        Socket s = admin.send("GET /health " + version + "\r\nHost: admin\r\n\r\n");
        JsonNode error = assertJsonError(AdminFixture.read(s), 505, "http_version_not_supported");
        assertThat(error.get("message").asText()).contains(version).contains("HTTP/1.0 or HTTP/1.1");
        assertClosedByServer(s);
    }

    @Test
    void http10IsServed() throws Exception {
        Socket s = admin.send("GET /health HTTP/1.0\r\n\r\n");
        assertThat(AdminFixture.read(s).status()).isEqualTo(200);
        assertClosedByServer(s); // no keep-alive asked for
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("GARBAGE\r\n\r\n", "malformed request line"),
                Arguments.of("GET /" + "a".repeat(5_000) + " HTTP/1.1\r\n\r\n", "request line too long"),
                Arguments.of("GET /health HTTP/1.1\r\nX-Big: " + "b".repeat(9_000) + "\r\n\r\n", "header too long"),
                Arguments.of("GET /health HTTP/1.1\r\nno colon here\r\n\r\n", "invalid header"),
                Arguments.of("GET /health HTTP/1.1\r\nContent-Length: abc\r\n\r\n", "invalid header"),
                Arguments.of("POST /health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunked body"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedRequestsGet400InPlainWords(String request, String says) throws Exception {
        Socket s = admin.send(request);
        JsonNode error = assertJsonError(AdminFixture.read(s), 400, "bad_request");
        assertThat(error.get("message").asText()).contains(says);
        assertClosedByServer(s);
    }

    @Test
    void routingErrorsHaveTheSameShape() throws Exception {
        assertJsonError(admin.exchange("GET /nope HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n"),
                404, "not_found");
        assertJsonError(admin.exchange("DELETE /health HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n"),
                405, "method_not_allowed");
    }

    /** The common shape; returns the body. */
    private static JsonNode assertJsonError(AdminFixture.Reply r, int status, String code) throws Exception {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank()
                .doesNotContain("java.").doesNotContain("Exception").doesNotContainIgnoringCase("netty");
        return body;
    }
}
