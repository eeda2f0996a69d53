package dev.halb.core.cli;

import dev.halb.core.config.ZooKeeperConfig;
import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import dev.halb.discovery.zookeeper.IdInUseException;
import dev.halb.discovery.zookeeper.ServiceRegistration;
import dev.halb.discovery.zookeeper.ZooKeeperClients;
import dev.halb.discovery.zookeeper.ZooKeeperConnection;
import dev.halb.discovery.zookeeper.ZooKeeperSettings;
import java.io.PrintWriter;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.KeeperException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code halb register}: registers one backend instance in ZooKeeper and holds
 * it until SIGTERM or SIGINT, which deregisters it before the process exits 0.
 *
 * <p>The node is written by Curator's own {@code ServiceDiscovery} ({@link ServiceRegistration}):
 * ephemeral, so it also goes when the process dies without deregistering, once its session
 * expires. After a lost session Curator registers it again on reconnecting.
 *
 * <p>Exit codes: 2 for an invalid option (the message names it and the value); 1 when ZooKeeper
 * does not answer within {@code --connection-timeout-ms} of starting, or refuses the registration
 * (e.g. {@code NoAuth} with a missing or wrong {@code --auth}): failing fast tells a start script
 * at once, instead of a process that looks registered and is not; 1 too when the id is in use by
 * another live process (the message names it). Once registered, ZooKeeper going away is waited
 * out, never an exit. A stop that could not delete the node exits 1.
 */
@Command(name = "register", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Registers one backend instance in ZooKeeper (ephemeral, Curator x-discovery format) and "
                + "holds it; SIGTERM or SIGINT deregisters it, then exits 0.",
                "Prints the instance id on standard output."})
final class RegisterCommand implements Callable<Integer> {

    /** Option names for the field names that the validating records put in their messages. */
    private static final Map<String, String> OPTION_OF_FIELD = Map.ofEntries(
            Map.entry("connect", "--zk"), Map.entry("root", "--root"), Map.entry("service", "--service"),
            Map.entry("id", "--id"), Map.entry("address", "--address"), Map.entry("port", "--port"),
            Map.entry("weight", "--weight"), Map.entry("auth", "--auth"),
            Map.entry("sessionTimeoutMs", "--session-timeout-ms"),
            Map.entry("connectionTimeoutMs", "--connection-timeout-ms"));

    @Option(names = "--zk", required = true, paramLabel = "CONNECT",
            description = "ZooKeeper connect string, host:port[,host:port...]")
    String zk;

    @Option(names = "--root", defaultValue = ZooKeeperSettings.DEFAULT_ROOT, paramLabel = "PATH",
            description = "halb's root path in ZooKeeper (default: ${DEFAULT-VALUE})")
    String root;

    @Option(names = "--service", required = true, paramLabel = "NAME", description = "service name")
    String service;

    @Option(names = "--address", required = true, paramLabel = "HOST",
            description = "host name or IP address that clients connect to")
    String address;

    @Option(names = "--port", required = true, paramLabel = "N", description = "port, 1-65535")
    int port;

    @Option(names = "--zone", defaultValue = "", paramLabel = "Z", description = "zone (default: none)")
    String zone;

    @Option(names = "--region", defaultValue = "", paramLabel = "R", description = "region (default: none)")
    String region;

    @Option(names = "--rack", defaultValue = "", paramLabel = "K", description = "rack (default: none)")
    String rack;

    @Option(names = "--weight", defaultValue = "" + Backend.DEFAULT_WEIGHT, paramLabel = "W",
            description = "weight, 1-" + Backend.MAX_WEIGHT + " (default: ${DEFAULT-VALUE})")
    int weight;

    @Option(names = "--id", paramLabel = "ID", description = "instance id (default: a random UUID)")
    String id;

    @Option(names = "--auth", defaultValue = "${env:HALB_ZK_AUTH:-}", paramLabel = "USER:PASSWORD",
            description = "ZooKeeper digest credentials (default: $HALB_ZK_AUTH, which keeps them out of ps)")
    String auth;

    @Option(names = "--session-timeout-ms", defaultValue = "" + ZooKeeperSettings.DEFAULT_SESSION_TIMEOUT_MS,
            paramLabel = "MS", description = "ZooKeeper session timeout (default: ${DEFAULT-VALUE})")
    int sessionTimeoutMs;

    @Option(names = "--connection-timeout-ms", defaultValue = "" + ZooKeeperSettings.DEFAULT_CONNECTION_TIMEOUT_MS,
            paramLabel = "MS", description = "how long to wait for ZooKeeper at start (default: ${DEFAULT-VALUE})")
    int connectionTimeoutMs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ZooKeeperSettings settings;
        ServiceRegistration.Instance instance;
        try {
            if (ZooKeeperConfig.EMBEDDED.equals(zk.strip())) {
                throw new IllegalArgumentException("connect: 'embedded' (expected: host:port[,host:port...]; "
                        + "an embedded ZooKeeper lives inside its replica, use the address it listens on)");
            }
            settings = new ZooKeeperSettings(zk, root, sessionTimeoutMs, connectionTimeoutMs, auth);
            instance = new ServiceRegistration.Instance(service, id == null ? UUID.randomUUID().toString() : id,
                    address, port, new Locality(zone, region, rack), weight);
        } catch (IllegalArgumentException e) {
            err.println("halb: " + optionMessage(e.getMessage()));
            err.flush();
            return Main.INVALID;
        }
        String what = instance.service() + " instance " + instance.id() + " (" + instance.address() + ":"
                + instance.port() + ")";

        ZooKeeperConnection connection = ZooKeeperClients.connectOrNull(settings);
        if (connection == null) {
            err.printf("halb: cannot register %s: ZooKeeper at %s unreachable (no answer within %d ms)%n", what,
                    settings.connect(), settings.connectionTimeoutMs());
            err.flush();
            return Main.FAILURE;
        }
        // From here a signal deregisters: installed before registering so that none is missed. A
        // second signal hurries the exit, but not past the deregistration: it waits for it a
        // bounded time, and exits 1 if the node could not be deleted by then.
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch deregistered = new CountDownLatch(1);
        AtomicBoolean removed = new AtomicBoolean();
        Signals.onTerminate(stop::countDown, () -> {
            try {
                if (deregistered.await(settings.connectionTimeoutMs(), TimeUnit.MILLISECONDS) && removed.get()) {
                    return Main.OK;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            err.printf("halb: exiting before %s was deregistered: it goes when its session expires (%d ms)%n", what,
                    settings.sessionTimeoutMs());
            err.flush();
            return Main.FAILURE;
        });
        ServiceRegistration registration;
        try {
            try {
                registration = ServiceRegistration.register(connection, instance);
            } catch (IdInUseException e) {
                err.printf("halb: cannot register %s: id %s is in use: %s; give every instance its own --id%n", what,
                        instance.id(), e.getMessage());
                return fail(err, connection, deregistered, removed);
            } catch (KeeperException.NoAuthException e) {
                err.printf("halb: cannot register %s in ZooKeeper at %s: not authorised under %s (check --auth)%n",
                        what, settings.connect(), settings.servicePath(instance.service()));
                return fail(err, connection, deregistered, removed);
            } catch (KeeperException e) {
                err.printf("halb: cannot register %s in ZooKeeper at %s: %s%n", what, settings.connect(),
                        e.code().name());
                return fail(err, connection, deregistered, removed);
            } catch (Exception e) {
                err.printf("halb: cannot register %s in ZooKeeper at %s: %s%n", what, settings.connect(),
                        e.getMessage() == null ? e.toString() : e.getMessage());
                return fail(err, connection, deregistered, removed);
            }
            out.println(instance.id());
            out.flush();
            err.printf("halb: registered %s at %s in ZooKeeper %s; SIGTERM or Ctrl-C deregisters it%n", what,
                    registration.path(), settings.connect());
            err.flush();
            stop.await();
        } catch (InterruptedException e) {
            connection.close();
            throw e;
        }
        boolean gone = registration.deregister();
        connection.close();
        removed.set(gone);
        deregistered.countDown();
        if (!gone) {
            err.printf("halb: cannot deregister %s: ZooKeeper at %s did not answer; it goes when its session "
                    + "expires (%d ms)%n", registration.path(), settings.connect(), settings.sessionTimeoutMs());
            err.flush();
            return Main.FAILURE;
        }
        err.printf("halb: deregistered %s%n", registration.path());
        err.flush();
        return Main.OK;
    }

    /** Nothing was registered: a signal now has nothing to wait for. */
    private static int fail(PrintWriter err, ZooKeeperConnection connection, CountDownLatch deregistered,
                            AtomicBoolean removed) {
        err.flush();
        connection.close();
        removed.set(true);
        deregistered.countDown();
        return Main.FAILURE;
    }

    /** {@code port: 0 (expected: ...)} becomes {@code --port: 0 (expected: ...)}. */
    private static String optionMessage(String message) {
        int colon = message.indexOf(':');
        if (colon > 0) {
            String option = OPTION_OF_FIELD.get(message.substring(0, colon));
            if (option != null) {
                return option + message.substring(colon);
            }
        }
        return message;
    }
}
