package dev.halb.discovery.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * What one logger (and the loggers below it) logged: during each test, as an extension
 * ({@code @RegisterExtension final CapturedLog log = CapturedLog.of(Replica.class);}), or during a
 * block ({@code try (CapturedLog log = CapturedLog.of(OwnedNode.class).start()) {...}}).
 */
public final class CapturedLog implements BeforeEachCallback, AfterEachCallback, AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private CapturedLog(String name) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
    }

    public static CapturedLog of(Class<?> type) {
        return new CapturedLog(type.getName());
    }

    public static CapturedLog of(String loggerName) {
        return new CapturedLog(loggerName);
    }

    /** Starts capturing, with nothing captured yet. */
    public CapturedLog start() {
        appender.list.clear();
        appender.start();
        logger.addAppender(appender);
        return this;
    }

    /** Stops capturing; what was captured stays readable. */
    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The events at WARN or above, in order. */
    public List<ILoggingEvent> warnings() {
        return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    }

    /** The messages of {@link #warnings()}, formatted. */
    public List<String> warningMessages() {
        return warnings().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** How many of {@link #warningMessages()} contain {@code text}. */
    public long warningsMentioning(String text) {
        return warningMessages().stream().filter(m -> m.contains(text)).count();
    }
}
