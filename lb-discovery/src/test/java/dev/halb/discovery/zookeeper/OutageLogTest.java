package dev.halb.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The outage log's lines as time moves: one when lost, reminders at doubling intervals, one when back. */
class OutageLogTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final Logger logger = (Logger) LoggerFactory.getLogger("outage-log-test");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final OutageLog outage = new OutageLog(logger, "zk1:2181");

    OutageLogTest() {
        lines.start();
        logger.addAppender(lines);
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        logger.setAdditive(false); // captured, not printed
    }

    private List<String> messages() {
        return lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Test
    void anOutageOfTenMinutesIsAHandfulOfLines() {
        // Reminders after 10, 30, 70, 150 and 310 s; the next one would be at 610 s (capped at 300 s apart).
        outage.connected(T0, "/halb", false);
        outage.lost(T0.plusSeconds(1));
        // What Curator reports during an outage, again and again, adds nothing.
        for (int s = 1; s <= 600; s++) {
            Instant now = T0.plusSeconds(1 + s);
            outage.lost(now);
            if (s == 15) {
                outage.sessionLost(now);
            }
            outage.tick(now);
        }
        outage.connected(T0.plusSeconds(602), "/halb", true);
        assertThat(messages()).containsExactly(
                "INFO connected to ZooKeeper at zk1:2181 (root /halb)",
                "WARN ZooKeeper connection to zk1:2181 lost: serving the last known backends; reconnecting in the "
                        + "background",
                "WARN ZooKeeper at zk1:2181 still unreachable after 10 s: serving the last known backends; retrying",
                "INFO ZooKeeper session expired (15 s without zk1:2181): a new one is made when a server answers",
                "WARN ZooKeeper at zk1:2181 still unreachable after 30 s: serving the last known backends; retrying",
                "WARN ZooKeeper at zk1:2181 still unreachable after 70 s: serving the last known backends; retrying",
                "WARN ZooKeeper at zk1:2181 still unreachable after 150 s: serving the last known backends; retrying",
                "WARN ZooKeeper at zk1:2181 still unreachable after 310 s: serving the last known backends; retrying",
                "INFO ZooKeeper at zk1:2181 back after 601 s disconnected (new session: re-reading everything)");
    }

    @Test
    void neverConnectedSaysSoOnceAndNothingAboutASession() {
        outage.startTimedOut(T0, 5000);
        outage.lost(T0.plusSeconds(2));
        outage.sessionLost(T0.plusSeconds(15));
        outage.tick(T0.plusSeconds(9));
        outage.connected(T0.plusSeconds(9), "/halb", true);
        outage.connected(T0.plusSeconds(10), "/halb", false);
        assertThat(messages()).containsExactly(
                "WARN ZooKeeper at zk1:2181 did not answer within 5000 ms: serving without it (static backends only "
                        + "until it answers); retrying in the background",
                "INFO connected to ZooKeeper at zk1:2181 (root /halb) after 9 s unreachable");
    }
}
