package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.testing.HalbProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Docker image runs a replica with the same JVM settings as {@code bin/halb}, which the README documents. */
class LauncherOptionsTest {

    @Test
    void theDockerImageRunsTheLaunchersJvmOptions() throws Exception {
        String dockerfile = Files.readString(Path.of("..", "Dockerfile"));
        Matcher m = Pattern.compile("HALB_JAVA_OPTS=\"([^\"]*)\"").matcher(dockerfile);
        assertThat(m.find()).as("ENV HALB_JAVA_OPTS=\"...\" in the Dockerfile").isTrue();
        assertThat(List.of(m.group(1).strip().split("\\s+"))).isEqualTo(HalbProcess.launcherOptions());
    }
}
