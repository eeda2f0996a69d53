package dev.halb.core.admin;

import static dev.halb.core.admin.AdminFixture.assertClosedByServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.discovery.testing.CapturedLog;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Beyond the bound, admin connections are closed when accepted, and counted in few log lines. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminConnectionLimitTest {

    @RegisterExtension
    final AdminFixture admin = new AdminFixture();
    @RegisterExtension
    final CapturedLog log = CapturedLog.of(AdminConnectionLimit.class);

    @Test
    void beyondTheBoundNewConnectionsAreClosedAtOnceAndHealthAnswersWhenOthersAreGone() throws Exception {
        // Timeouts far beyond the test: only the bound closes anything here.
        admin.start(60_000, 60_000, 20);
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            held.add(admin.connect());
        }
        await().atMost(Duration.ofSeconds(10)).until(admin.server()::openConnections, n -> n == 20);

        for (int i = 0; i < 30; i++) {
            assertClosedByServer(admin.connect()); // within the read timeout, i.e. not by a timer
        }
        assertThat(admin.health()).as("/health on a 21st connection").isEqualTo(-1);
        assertThat(admin.server().openConnections()).isEqualTo(20);
        // 31 refusals, one line: the first at once, the rest in the next report.
        await().atMost(Duration.ofSeconds(5)).until(() -> log.warningMessages().size() == 1);
        assertThat(log.warningMessages()).singleElement().asString().contains("refused 1 new connection").contains("20 open");

        for (Socket s : held) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(admin.server()::openConnections, n -> n == 0);
        assertThat(admin.health()).isEqualTo(200);
    }

    @Test
    void refusalsAreLoggedAtMostOncePerIntervalWithTheirCount() {
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel second = new EmbeddedChannel();
        // The report runs on the first channel's loop, whose clock stands still but where the
        // test moves it.
        first.freezeTime();
        AdminConnectionLimit limit = new AdminConnectionLimit(2, first.eventLoop());
        assertThat(limit.admit(first)).isTrue();
        assertThat(limit.admit(second)).isTrue();
        List<EmbeddedChannel> refused = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            EmbeddedChannel c = new EmbeddedChannel();
            refused.add(c);
            assertThat(limit.admit(c)).isFalse();
        }
        assertThat(refused).noneMatch(EmbeddedChannel::isOpen);
        assertThat(limit.open()).isEqualTo(2);
        assertThat(log.warningMessages()).singleElement().asString().contains("refused 1 new connection:");

        first.advanceTimeBy(AdminConnectionLimit.REPORT_INTERVAL_MS - 1, TimeUnit.MILLISECONDS);
        first.runScheduledPendingTasks();
        assertThat(log.warningMessages()).hasSize(1);
        first.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        first.runScheduledPendingTasks();
        assertThat(log.warningMessages()).hasSize(2).last().asString().contains("refused 9 new connections:");

        // A quiet interval ends the reports; the next refusal is logged at once.
        first.advanceTimeBy(AdminConnectionLimit.REPORT_INTERVAL_MS, TimeUnit.MILLISECONDS);
        first.runScheduledPendingTasks();
        assertThat(log.warningMessages()).hasSize(2);
        assertThat(limit.admit(new EmbeddedChannel())).isFalse();
        assertThat(log.warningMessages()).hasSize(3).last().asString().contains("refused 1 new connection:");

        second.close();
        assertThat(limit.open()).isEqualTo(1);
        EmbeddedChannel third = new EmbeddedChannel();
        assertThat(limit.admit(third)).isTrue();
        third.close();
        first.close();
        assertThat(limit.open()).isZero();
    }

}
