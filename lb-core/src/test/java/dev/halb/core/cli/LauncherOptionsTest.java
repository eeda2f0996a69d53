package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.testing.HalbProcess;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Docker image runs a replica with the same JVM settings as {@code bin/halb}, which the README
 * documents, and a JIT directive among them still names a method of halb's.
 */
class LauncherOptionsTest {

    @Test
    void theDockerImageRunsTheLaunchersJvmOptions() throws Exception {
        assertThat(HalbProcess.quotedOptions(Path.of("..", "Dockerfile"), "HALB_JAVA_OPTS"))
                .isEqualTo(HalbProcess.launcherOptions());
    }

    /**
     * The JVM does not warn about a directive that matches no method, so renaming the method would
     * quietly undo the directive: this test is the warning.
     */
    @Test
    void everyCompileCommandNamesAMethodThatExists() throws Exception {
        Pattern directive = Pattern.compile("-XX:CompileCommand=\\w+,([\\w.$]+)::(\\w+)");
        List<Matcher> named = HalbProcess.launcherOptions().stream()
                .map(directive::matcher).filter(Matcher::matches).toList();
        assertThat(named).as("bin/halb's JIT directives for halb's methods").isNotEmpty();
        for (Matcher m : named) {
            Class<?> type = Class.forName(m.group(1));
            assertThat(Arrays.stream(type.getDeclaredMethods()).map(Method::getName))
                    .as("methods declared by %s", type.getName()).contains(m.group(2));
        }
    }
}
