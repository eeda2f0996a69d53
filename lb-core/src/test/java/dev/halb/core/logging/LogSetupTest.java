package dev.halb.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * halb's logging set-up in code. The shipped jar's output as an operator reads it is checked
 * end to end by the process tests that log as the jar does ({@code HalbProcess.startWithShippedLogging}).
 */
class LogSetupTest {

    @Test
    void logbackFindsItThroughServiceLoader() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
                .contains(LogSetup.class);
    }

    @Test
    void rootLevelComesFromTheEnvironmentValueInAnyCaseElseInfo() {
        assertThat(LogSetup.rootLevel(null)).isEqualTo(Level.INFO);
        assertThat(LogSetup.rootLevel(" ")).isEqualTo(Level.INFO);
        assertThat(LogSetup.rootLevel("debug")).isEqualTo(Level.DEBUG);
        assertThat(LogSetup.rootLevel(" WARN ")).isEqualTo(Level.WARN);
        assertThat(LogSetup.rootLevel("loud")).isEqualTo(Level.INFO);
    }

    @Test
    void oneLinePerEventOnStderrWithZooKeeperAndCuratorHeldBack() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogSetup.apply(context, Level.INFO);
            assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR"))
                    .isInstanceOf(ConsoleAppender.class);
            context.getLogger("dev.halb.core.replica.Replica").info("replica {} serving", "r1");
            context.getLogger("dev.halb.core.replica.Replica").debug("not shown");
            context.getLogger("org.apache.zookeeper.ClientCnxn").warn("retrying, with a stack trace");
            context.getLogger("org.apache.curator.framework.CuratorFrameworkImpl").warn("shown");
            context.getLogger("org.apache.curator.framework.CuratorFrameworkImpl").info("not shown");
        } finally {
            context.stop();
            System.setErr(stderr);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out.lines()).hasSize(2);
        assertThat(out.lines().findFirst().orElseThrow())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  \\[[^]]+] Replica - replica r1 serving");
        assertThat(out).contains("WARN  [").contains("CuratorFrameworkImpl - shown").doesNotContain("not shown")
                .doesNotContain("retrying");
    }
}
