package dev.halb.core.cli;

import dev.halb.core.proxy.Transport;
import dev.halb.core.replica.Version;
import io.netty.util.ResourceLeakDetector;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar halb.jar <command>}. */
@Command(name = "halb",
        description = "An HA-aware Layer 4 (TCP) load balancer.",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        subcommands = {RunCommand.class, CheckCommand.class, RegisterCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    /** Exit code of a normal run. */
    public static final int OK = 0;
    /** Exit code of a runtime failure (a port in use, say). */
    public static final int FAILURE = 1;
    /** Exit code of a usage error or an invalid configuration. */
    public static final int INVALID = 2;

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";
    private static final String REFLECTION_PROPERTY = "io.netty.tryReflectionSetAccessible";

    public static void main(String[] args) {
        // Netty allocates its direct buffers itself, without a JDK Cleaner each (and counts them
        // against a limit of its own, as large as the JDK's), when it may call DirectByteBuffer's
        // private constructor: the jar's manifest opens java.nio for that, and this lets Netty try
        // (unless told otherwise). Set before any Netty class reads it. Without the opening (a
        // plain class path) Netty goes through the JDK, quietly.
        if (System.getProperty(REFLECTION_PROPERTY) == null) {
            System.setProperty(REFLECTION_PROPERTY, "true");
        }
        // Netty's leak tracking samples buffer allocations and fills a stack trace for each one it
        // samples: a replica runs without it unless asked (-Dio.netty.leakDetection.level=simple).
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Anything not handled by a command is a runtime failure: say what, not where in the code.
            log.debug("command failed", e);
            PrintWriter err = commandLine.getErr();
            err.println("halb: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return FAILURE;
        });
        return cl;
    }

    /** {@code halb} alone: the usage once, on standard error, and the exit code of a usage error. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        spec.commandLine().usage(err);
        err.println("halb: a command is required");
        err.flush();
        return INVALID;
    }

    /**
     * A transport forced by name ({@code HALB_TRANSPORT}, {@code -Dhalb.transport}) that names
     * none is a usage error: said, and {@code false}.
     */
    static boolean transportSettingValid(PrintWriter err) {
        String invalid = Transport.invalidForcedSetting();
        if (invalid != null) {
            err.println("halb: " + invalid);
            err.flush();
        }
        return invalid == null;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"halb " + Version.current()};
        }
    }
}
