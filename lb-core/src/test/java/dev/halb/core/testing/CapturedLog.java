package dev.halb.core.testing;

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
 * What one logger (and the loggers below it) logged during each test:
 * {@code @RegisterExtension final CapturedLog log = CapturedLog.of(Replica.class);}.
 */
public final class CapturedLog implements BeforeEachCallback, AfterEachCallback {

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

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.list.clear();
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        appender.stop();
    }

    /** The events at WARN or above, in order. */
    public List<ILoggingEvent> warnings() {
        return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    }

    /** The messages of {@link #warnings()}, formatted. */
    public List<String> warningMessages() {
        return warnings().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
