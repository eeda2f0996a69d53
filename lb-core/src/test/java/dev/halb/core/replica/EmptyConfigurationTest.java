package dev.halb.core.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.testing.TestConfigs;
import dev.halb.discovery.testing.CapturedLog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A configuration without VIPs is accepted, and the replica says at start that it serves nothing. */
class EmptyConfigurationTest {

    @RegisterExtension
    final CapturedLog log = CapturedLog.of(Replica.class);


    @Test
    void aReplicaWithNoVipsAndNoZooKeeperWarnsThatItServesNothing() throws Exception {
        HalbConfig empty = new ConfigLoader(Map.of()).parse("", "empty.yaml");
        assertThat(empty.servesNothing()).isTrue();
        // The admin API on a free port; everything else as the empty file says.
        HalbConfig config = new HalbConfig(empty.replica(), empty.discovery(), TestConfigs.replica().admin(),
                empty.vips(), empty.drain());
        try (Replica replica = Replica.start(config, Replica.Options.defaults())) {
            assertThat(log.warningMessages()).filteredOn(m -> m.contains("serves nothing")).singleElement()
                    .satisfies(m -> assertThat(m).contains("replica " + replica.id()).contains("no VIPs"));
        }
    }

    @Test
    void aReplicaWithVipsDoesNotWarn() throws Exception {
        try (Replica replica = Replica.start(TestConfigs.replica(TestConfigs.vip("web", List.of())),
                Replica.Options.defaults())) {
            assertThat(log.warningMessages()).noneMatch(m -> m.contains("serves nothing"));
        }
    }
}
