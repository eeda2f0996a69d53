package dev.halb.core.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * halb's logging set up in code, found by Logback through {@code ServiceLoader}: one line per
 * event on stderr (stdout carries only what a command prints), root at {@code HALB_LOG_LEVEL}
 * (default INFO), and the ZooKeeper client and Curator held to WARN or ERROR.
 *
 * <p>Done in code rather than by a {@code logback.xml} because reading XML loads Logback's
 * configuration model and the JDK's XML parser, about 500 classes more, into every replica's
 * metaspace for one file. A {@code -Dlogback.configurationFile} or a {@code logback-test.xml} on
 * the class path still wins: then this steps aside and Logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {

    /** The environment variable that sets the root level. */
    public static final String LEVEL_ENV = "HALB_LOG_LEVEL";

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} - %msg%n";

    /**
     * Levels below the root's. Connection state is halb's to report, once per change: the
     * ZooKeeper client's WARN with a stack trace for every failed connect attempt, and Curator's
     * lines about suspended or expired sessions, would repeat it every second while ZooKeeper is
     * away. The embedded server (connect: embedded, halb demo) warns at start that maxCnxns is
     * not set: it needs none.
     */
    static final Map<String, Level> LEVELS = Map.of(
            "org.apache.zookeeper", Level.WARN,
            "org.apache.zookeeper.ClientCnxn", Level.ERROR,
            "org.apache.zookeeper.ClientCnxnSocketNIO", Level.ERROR,
            "org.apache.zookeeper.server.ServerCnxnFactory", Level.ERROR,
            "org.apache.curator", Level.WARN,
            "org.apache.curator.ConnectionState", Level.ERROR,
            "org.apache.curator.framework.state.ConnectionStateManager", Level.ERROR,
            "io.netty", Level.INFO);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, rootLevel(System.getenv(LEVEL_ENV)));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Sets {@code context} up as halb logs: stderr, {@code root} for the root, {@link #LEVELS} below it. */
    static void apply(LoggerContext context, Level root) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger rootLogger = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLogger.setLevel(root);
        rootLogger.addAppender(stderr);
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }

    /** The root level named by {@code value} (any case), INFO when unset or not a level. */
    static Level rootLevel(String value) {
        return value == null || value.isBlank() ? Level.INFO : Level.toLevel(value.strip(), Level.INFO);
    }
}
