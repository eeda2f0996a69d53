package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.VipConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code halb demo} runs and tells a newcomer (the demo itself binds fixed ports, so it is run by hand). */
class DemoCommandTest {

    @Test
    void theDemoDiscoversItsBackendsInAnEmbeddedZooKeeper() throws Exception {
        HalbConfig config = new ConfigLoader(Map.of()).parse(DemoCommand.demoYaml(), "demo.yaml");
        assertThat(config.discovery().zookeeper().embedded()).isTrue();
        assertThat(config.replica().zone()).isEqualTo("a");
        assertThat(config.admin().bind().toString()).isEqualTo("127.0.0.1:9990");
        VipConfig web = config.vips().get(0);
        assertThat(web.bind().toString()).isEqualTo("127.0.0.1:8080");
        assertThat(web.backends()).isEmpty();
        assertThat(config.dns().bind().toString()).isEqualTo("127.0.0.1:8053");
        assertThat(config.dns().domain()).isEqualTo("halb.internal");
        assertThat(DemoCommand.BACKENDS).extracting(DemoBackends.Spec::zone).containsExactly("a", "a", "b");
        assertThat(DemoCommand.BACKENDS).extracting(DemoBackends.Spec::port).doesNotContain(DemoCommand.SPARE.port());
    }

    @Test
    void theInstructionsShowHowToRegisterTheSpareBackend() {
        String text = DemoCommand.instructions("127.0.0.1:2181", 8053);
        assertThat(text).contains("register --zk 127.0.0.1:2181 --service web --address 127.0.0.1 --port 9004 "
                + "--zone b --id backend-4");
        assertThat(text).contains("/api/v1/vips/web/backends/backend-1/drain");
        assertThat(text).contains("dig @127.0.0.1 -p 8053 web.halb.internal");
    }
}
