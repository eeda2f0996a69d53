package dev.halb.core.cli;

import dev.halb.core.config.ConfigException;
import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.replica.StartupException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code halb run --config FILE}: runs a replica until SIGTERM or SIGINT, drains, exits 0. SIGHUP
 * reloads the file (and reopens the access log); SIGUSR1 reopens the access log.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Runs a replica until SIGTERM/SIGINT, then drains and exits 0. SIGHUP reloads the file; SIGUSR1 reopens the access log.")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "YAML configuration file")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        if (!Main.transportSettingValid(err)) {
            return Main.INVALID;
        }
        HalbConfig c = ConfigFiles.load(config, err);
        if (c == null) {
            return Main.INVALID;
        }
        Replica replica;
        try {
            replica = Replica.start(c, Replica.Options.defaults());
        } catch (StartupException | IllegalArgumentException e) {
            err.println("halb: " + e.getMessage());
            err.flush();
            return Main.FAILURE;
        }
        Signals.onHangup(() -> reload(replica));
        Signals.onUser1(replica::reopenAccessLog);
        CountDownLatch drained = new CountDownLatch(1);
        Signals.onTerminate(() -> {
            try {
                replica.drain();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                replica.close();
            } finally {
                drained.countDown();
            }
        });
        drained.await();
        log.info("replica {} stopped", replica.id());
        return Main.OK;
    }

    /** Reads the file again and applies it; a file that cannot be used changes nothing. */
    private void reload(Replica replica) {
        HalbConfig next;
        try {
            next = ConfigLoader.withSystemEnv().load(config);
        } catch (ConfigException e) {
            replica.reloadRefused(ConfigFiles.describe(config, e));
            return;
        } catch (RuntimeException e) {
            replica.reloadRefused(config + ": " + e.getMessage());
            return;
        }
        try {
            replica.reload(next);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
