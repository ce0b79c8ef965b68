package dev.ecrpush.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logmanager.ExtLogRecord;

/**
 * Every log record of some categories, at every level, while open: for asserting what a log line may
 * never carry. Records are kept as their logger name, formatted message and exception chain.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Level> previousLevels = new ArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    private static final Pattern CATEGORY_LEVEL = Pattern.compile("quarkus\\.log\\.category\\.\"([^\"]+)\"\\.level");
    private static final Map<String, Level> LEVELS = Map.of("TRACE", Level.FINEST, "DEBUG", Level.FINE, "INFO", Level.INFO,
            "WARN", Level.WARNING, "ERROR", Level.SEVERE);

    /**
     * Everything logged under {@code categories}, at every level, except where the shipped
     * {@code application.properties} sets a category's level: those stay as the function runs them.
     */
    public static LogCapture of(String... categories) {
        LogCapture capture = new LogCapture();
        capture.setLevel(Level.ALL);
        for (String category : categories) {
            capture.setLevel(category, Level.ALL);
        }
        shippedCategoryLevels().forEach(capture::setLevel);
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    private void setLevel(String category, Level level) {
        Logger logger = Logger.getLogger(category);
        loggers.add(logger);
        previousLevels.add(logger.getLevel());
        logger.setLevel(level);
    }

    private static Map<String, Level> shippedCategoryLevels() {
        Properties properties = new Properties();
        try (InputStream in = LogCapture.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Level> levels = new HashMap<>();
        properties.forEach((key, value) -> {
            Matcher category = CATEGORY_LEVEL.matcher((String) key);
            if (category.matches()) {
                levels.put(category.group(1), LEVELS.get(((String) value).trim()));
            }
        });
        return levels;
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder line = new StringBuilder(String.valueOf(record.getLoggerName())).append(' ')
                .append(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : formatter.formatMessage(record));
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            line.append(" | ").append(t);
        }
        lines.add(line.toString());
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
        for (int i = loggers.size() - 1; i >= 0; i--) {
            loggers.get(i).setLevel(previousLevels.get(i));
        }
    }
}
