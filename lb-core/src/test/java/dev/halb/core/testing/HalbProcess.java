package dev.halb.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.halb.core.cli.Main"));
        command.addAll(List.of(args));
        Path output = workDir.resolve("halb-" + System.nanoTime() + ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            return new HalbProcess(p, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
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

    public String output() {
        try {
            return Files.readString(output);
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
