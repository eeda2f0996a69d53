package dev.halb.core.testing;



import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halb.core.config.AccessLogConfig;
import dev.halb.core.config.AccessLogFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A JSON access log file of a test's replica, read back record by record. */
public final class AccessLogFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;

    public AccessLogFile(Path path) {
        this.path = path;
    }

    public AccessLogConfig config() {
        return new AccessLogConfig(AccessLogFormat.JSON, path.toString());
    }

    public Path path() {
        return path;
    }

    /** Every record written so far; each line must be one JSON object. */
    public List<JsonNode> records() {
        if (!Files.exists(path)) {
            return List.of();
        }
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(path)) {
                out.add(JSON.readTree(line));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (generously) until at least {@code n} records are written, and returns them all. */
    public List<JsonNode> await(int n) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> records().size() >= n);
        return records();
    }
}
