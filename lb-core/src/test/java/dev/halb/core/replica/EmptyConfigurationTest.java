package dev.halb.core.replica;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.testing.TestConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A configuration without VIPs is accepted, and the replica says at start that it serves nothing. */
class EmptyConfigurationTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(Replica.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
        appender.stop();
    }

    private List<String> warnings() {
        return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aReplicaWithNoVipsAndNoZooKeeperWarnsThatItServesNothing() throws Exception {
        HalbConfig empty = new ConfigLoader(Map.of()).parse("", "empty.yaml");
        assertThat(empty.servesNothing()).isTrue();
        // The admin API on a free port; everything else as the empty file says.
        HalbConfig config = new HalbConfig(empty.replica(), empty.discovery(), TestConfigs.replica().admin(),
                empty.vips(), empty.drain());
        try (Replica replica = Replica.start(config, Replica.Options.defaults())) {
            assertThat(warnings()).filteredOn(m -> m.contains("serves nothing")).singleElement()
                    .satisfies(m -> assertThat(m).contains("replica " + replica.id()).contains("no VIPs"));
        }
    }

    @Test
    void aReplicaWithVipsDoesNotWarn() throws Exception {
        try (Replica replica = Replica.start(TestConfigs.replica(TestConfigs.vip("web", List.of())),
                Replica.Options.defaults())) {
            assertThat(warnings()).noneMatch(m -> m.contains("serves nothing"));
        }
    }
}
