package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example in {@code config/} passes {@code halb check} as shipped, with no environment
 * variable set, and its connection limits fit a 20 000 open-file limit, so that running it does
 * not start with the file-descriptor warning.
 */
class ShippedConfigsTest {

    /** A common {@code ulimit -n} (systemd's default soft limit is lower, container runtimes' often higher). */
    static final long OPEN_FILE_LIMIT = 20_000;

    static Stream<Path> examples() throws IOException {
        Path dir = Path.of(System.getProperty("user.dir")).resolveSibling("config");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("halb.yaml", "demo.yaml", "multi-zone.yaml", "static-only.yaml");
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void passesCheckAsShipped(Path file) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        // Run with the variables the examples mention unset, as on a fresh machine.
        assertThat(cl.execute("check", "--config", file.toString())).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("is valid");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void fitsATwentyThousandFileLimit(Path file) throws Exception {
        HalbConfig config = new ConfigLoader(Map.of()).load(file);
        long needed = Replica.RESERVED_DESCRIPTORS;
        for (VipConfig v : config.vips()) {
            needed += 2L * v.maxConnections() + v.backends().size();
        }
        assertThat(needed).as("file descriptors %s needs", file.getFileName()).isLessThan(OPEN_FILE_LIMIT);
    }
}
