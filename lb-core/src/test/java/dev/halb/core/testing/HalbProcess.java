package dev.halb.core.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * {@code halb} in a child JVM, on the test class path, for what needs a real process: signals
 * and exit codes. Its output goes to a file that a failing test can show.
 */
public final class HalbProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private HalbProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static HalbProcess start(Path workDir, String... args) {
        return start(workDir, List.of("-Xmx256m"), args);
    }

    /** Starts halb in a child JVM with these JVM options (e.g. the launcher's memory settings). */
    public static HalbProcess start(Path workDir, List<String> jvmOptions, String... args) {
        return start(workDir, 0, jvmOptions, args);
    }

    /**
     * Starts halb in a child JVM whose open-file limit is {@code maxOpenFiles} (set by the shell's
     * {@code ulimit -n} before it execs the JVM; 0 = inherited).
     */
    public static HalbProcess start(Path workDir, int maxOpenFiles, List<String> jvmOptions, String... args) {
        return start(workDir, maxOpenFiles, jvmOptions, System.getProperty("java.class.path"), args);
    }

    /**
     * Starts halb logging as the shipped jar does (halb's own logging set-up, INFO) instead of
     * through the test class path's quieter logback-test.xml, for tests of what an operator reads:
     * the child's class path leaves out the test classes and resources.
     */
    public static HalbProcess startWithShippedLogging(Path workDir, List<String> jvmOptions, String... args) {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        return start(workDir, 0, jvmOptions, classPath, args);
    }

    /** Starts the packaged jar itself, {@code java <jvmOptions> -jar <jar> <args>}, as bin/halb does. */
    public static HalbProcess startJar(Path workDir, Path jar, List<String> jvmOptions, String... args) {
        return launch(workDir, 0, jvmOptions, List.of("-jar", jar.toString()), args);
    }

    private static HalbProcess start(Path workDir, int maxOpenFiles, List<String> jvmOptions, String classPath,
            String... args) {
        // The jar's manifest opens java.nio to halb (for Netty's direct buffers); a class path
        // launch gets the same from the command line.
        return launch(workDir, maxOpenFiles, jvmOptions,
                List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", classPath, "dev.halb.core.cli.Main"),
                args);
    }

    private static HalbProcess launch(Path workDir, int maxOpenFiles, List<String> jvmOptions, List<String> main,
            String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        if (maxOpenFiles > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + maxOpenFiles + " && exec \"$0\" \"$@\""));
        }
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(main);
        command.addAll(List.of(args));
        Path output = workDir.resolve("halb-" + System.nanoTime() + ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            return new HalbProcess(p, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The JVM options {@code bin/halb} runs a replica with (its {@code DEFAULT_OPTS}), read from
     * the launcher itself so that a test of its memory settings follows them.
     */
    public static List<String> launcherOptions() {
        return quotedOptions(Path.of("..", "bin", "halb"), "DEFAULT_OPTS");
    }

    /**
     * The options in {@code file}'s first {@code variable="..."} (a shell assignment or a
     * Dockerfile {@code ENV}), split on white space and backslash-continued lines.
     */
    public static List<String> quotedOptions(Path file, String variable) {
        try {
            Matcher m = Pattern.compile(Pattern.quote(variable) + "=\"([^\"]*)\"").matcher(Files.readString(file));
            if (!m.find()) {
                throw new IllegalStateException("no " + variable + "=\"...\" in " + file.toAbsolutePath());
            }
            return List.of(m.group(1).replace("\\\n", " ").strip().split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code -XX:MaxDirectMemorySize} among {@code bin/halb}'s options, in bytes ({@code 64m} and the like). */
    public static long launcherMaxDirectMemory() {
        String prefix = "-XX:MaxDirectMemorySize=";
        String value = launcherOptions().stream().filter(o -> o.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new IllegalStateException("bin/halb sets no " + prefix)).substring(prefix.length());
        long n = Long.parseLong(value.replaceAll("[kKmMgG]$", ""));
        return switch (Character.toLowerCase(value.charAt(value.length() - 1))) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> n;
        };
    }

    /** Waits (up to 60 s) until the replica's admin API at {@code admin} answers {@code /ready} with 200. */
    public void awaitReady(InetSocketAddress admin) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> Clients.get(admin, "/ready").statusCode() == 200);
    }

    public long pid() {
        return process.pid();
    }

    /** Sends SIGKILL: the process ends at once, without closing anything itself. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Sends SIGTERM. */
    public void terminate() {
        process.destroy();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 if it did not exit within the time. */
    public int waitFor(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /** What the process printed: at most its first MiB, so that a runaway log cannot exhaust the test's heap. */
    public String output() {
        try (java.io.InputStream in = Files.newInputStream(output)) {
            byte[] head = in.readNBytes(1 << 20);
            String text = new String(head, java.nio.charset.StandardCharsets.UTF_8);
            long size = Files.size(output);
            return size > head.length ? text + "\n... (" + (size - head.length) + " more bytes)" : text;
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
