package dev.halb.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pipelined requests are answered; a client that never reads its answers cannot pile them up. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminPipeliningTest {

    private static final String STATUS = "GET /api/v1/status HTTP/1.1\r\nHost: admin\r\n\r\n";

    @RegisterExtension
    final AdminFixture admin = new AdminFixture();

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        admin.start(60_000, 60_000, 256);
        Socket s = admin.send(STATUS + "GET /health HTTP/1.1\r\nHost: admin\r\n\r\n" + STATUS);
        assertThat(AdminFixture.read(s).body()).contains("\"id\":\"stub\"");
        assertThat(AdminFixture.read(s).body()).contains("serving");
        assertThat(AdminFixture.read(s).body()).contains("\"id\":\"stub\"");
    }

    @Test
    void aClientThatPipelinesAndNeverReadsIsClosed() throws Exception {
        admin.start(60_000, 60_000, 256); // no timer closes anything here
        Socket s = admin.connect();
        byte[] batch = STATUS.repeat(1_000).getBytes(StandardCharsets.ISO_8859_1);
        // 400 000 requests would queue over 100 MB of answers of about 300 bytes; the server
        // closes once a MiB of them waits beyond what the sockets' buffers took, and the
        // writes here then fail.
        assertThatThrownBy(() -> {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 400; i++) {
                out.write(batch);
            }
        }).isInstanceOf(IOException.class);
    }
}
