package dev.halb.core.cli;

import dev.halb.core.admin.VipView;
import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.replica.StartupException;
import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import dev.halb.discovery.zookeeper.EmbeddedZooKeeper;
import dev.halb.discovery.zookeeper.ServiceRegistration;
import dev.halb.discovery.zookeeper.ZooKeeperClients;
import dev.halb.discovery.zookeeper.ZooKeeperConnection;
import dev.halb.discovery.zookeeper.ZooKeeperSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code halb demo}: an embedded ZooKeeper on 127.0.0.1:2181, three small HTTP
 * backends in zones a, a and b that register themselves in it, one replica in zone a on
 * 127.0.0.1:8080 with admin on 127.0.0.1:9990 and DNS for its VIP on 127.0.0.1:8053
 * (config/demo.yaml), and a fourth backend on 9004
 * that runs unregistered so that {@code halb register} can show a backend joining and leaving.
 * Prints what to try; Ctrl-C stops it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Runs a one-machine demo: embedded ZooKeeper on 127.0.0.1:2181, three HTTP backends in zones "
                + "a, a, b registered in it, and a replica in zone a on 127.0.0.1:8080 (admin 127.0.0.1:9990).")
final class DemoCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

    static final String SERVICE = "web";

    static final List<DemoBackends.Spec> BACKENDS = List.of(
            new DemoBackends.Spec("backend-1", "a", 9001),
            new DemoBackends.Spec("backend-2", "a", 9002),
            new DemoBackends.Spec("backend-3", "b", 9003));

    /** Runs but is not registered: the newcomer registers it with {@code halb register}. */
    static final DemoBackends.Spec SPARE = new DemoBackends.Spec("backend-4", "b", 9004);

    /** How long the demo waits for its backends to show up healthy before it says it is ready. */
    private static final long READY_WAIT_MS = 10_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Main.transportSettingValid(err)) {
            return Main.INVALID;
        }
        List<DemoBackends.Spec> all = new ArrayList<>(BACKENDS);
        all.add(SPARE);
        // The demo runs the ZooKeeper that demo.yaml's `connect: embedded` asks for itself, so that
        // it can stop last: a real deployment's ZooKeeper outlives the replica and the backends,
        // and the backends deregister from it after the replica has drained.
        EmbeddedZooKeeper zooKeeper;
        try {
            zooKeeper = startZooKeeper();
        } catch (IOException e) {
            err.println("halb: cannot start the embedded ZooKeeper: " + e.getMessage());
            err.flush();
            return Main.FAILURE;
        }
        HalbConfig config = new ConfigLoader(System.getenv()).parse(
                demoYaml().replace("connect: embedded", "connect: " + zooKeeper.connectString()), "demo.yaml");
        try (zooKeeper; DemoBackends backends = new DemoBackends()) {
            try {
                backends.start(all);
            } catch (BindException e) {
                err.println("halb: " + e.getMessage());
                err.flush();
                return Main.FAILURE;
            }
            Replica replica;
            try {
                replica = Replica.start(config, Replica.Options.defaults());
            } catch (StartupException e) {
                err.println("halb: " + e.getMessage());
                err.flush();
                return Main.FAILURE;
            }
            String zk = replica.zooKeeperConnectString();
            // The backends' side: a ZooKeeper client of their own, as separate services would have.
            ZooKeeperConnection connection = ZooKeeperClients.connect(ZooKeeperSettings.of(zk));
            List<ServiceRegistration> registrations = new ArrayList<>();
            try {
                for (DemoBackends.Spec b : BACKENDS) {
                    registrations.add(ServiceRegistration.register(connection, new ServiceRegistration.Instance(
                            SERVICE, b.name(), "127.0.0.1", b.port(), Locality.ofZone(b.zone()),
                            Backend.DEFAULT_WEIGHT)));
                }
            } catch (Exception e) {
                err.println("halb: cannot register the demo backends in ZooKeeper at " + zk + ": " + e.getMessage());
                err.flush();
                registrations.forEach(ServiceRegistration::close);
                connection.close();
                replica.close();
                return Main.FAILURE;
            }
            awaitHealthy(replica, BACKENDS.size());
            out.print(instructions(zk, replica.dnsAddress() == null ? 0 : replica.dnsAddress().getPort()));
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            // Stopped in the order of a real deployment: the replica drains first (its backends
            // still registered and serving, so new clients keep working during drain.delayMs),
            // then the backends deregister and stop.
            Signals.onTerminate(() -> {
                try {
                    replica.drain();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    replica.close();
                } finally {
                    registrations.forEach(ServiceRegistration::close);
                    connection.close();
                    stopped.countDown();
                }
            });
            stopped.await();
            log.info("replica {} stopped", replica.id());
        }
        return Main.OK;
    }

    /** On 127.0.0.1:2181 when it is free, as `connect: embedded` does; else on a free port, with a warning. */
    private static EmbeddedZooKeeper startZooKeeper() throws IOException {
        try {
            return EmbeddedZooKeeper.start(Replica.EMBEDDED_ZOOKEEPER_PORT);
        } catch (IOException first) {
            EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(0);
            log.warn("{}; the embedded ZooKeeper listens on {} instead (register backends with --zk {})",
                    first.getMessage(), zk.connectString(), zk.connectString());
            return zk;
        }
    }

    /** Waits, a bounded time, until the VIP has {@code n} healthy backends, so the first curl works. */
    private static void awaitHealthy(Replica replica, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_WAIT_MS);
        while (System.nanoTime() - deadline < 0) {
            VipView web = replica.admin().vips().get(0);
            long healthy = web.backends().stream().filter(b -> "healthy".equals(b.state())).count();
            if (healthy >= n) {
                return;
            }
            Thread.sleep(20);
        }
        log.warn("the demo backends are not all healthy after {} ms; see /api/v1/vips", READY_WAIT_MS);
    }

    static String instructions(String zk, int dnsPort) {
        return """

                halb demo is running:
                  ZooKeeper (embedded)  %1$s
                  VIP web               127.0.0.1:8080, this replica in zone a (admin API on 127.0.0.1:9990)
                  registered backends   backend-1 (zone a, port 9001), backend-2 (zone a, 9002), backend-3 (zone b, 9003)
                  spare backend         backend-4 (zone b, port 9004): running, not registered
                  DNS                   web.halb.internal on 127.0.0.1:%3$d (UDP and TCP), answered by this replica

                Try:
                  for i in 1 2 3 4 5 6; do curl -s http://127.0.0.1:8080/; done
                  curl -s http://127.0.0.1:9990/api/v1/vips
                  curl -s http://127.0.0.1:9990/api/v1/status
                  curl -s http://127.0.0.1:9990/api/v1/replicas
                  curl -s http://127.0.0.1:9990/metrics | grep '^halb_'
                  dig @127.0.0.1 -p %3$d web.halb.internal
                  dig @127.0.0.1 -p %3$d _web._tcp.halb.internal SRV
                  curl -s --resolve web.halb.internal:8080:$(dig +short @127.0.0.1 -p %3$d web.halb.internal | head -1) \\
                       http://web.halb.internal:8080/
                  curl -s -X POST -H 'Authorization: Bearer demo-token' \\
                       http://127.0.0.1:9990/api/v1/vips/web/backends/backend-1/drain

                Register backend-4 from another terminal; it joins the VIP (watch the log here and
                /api/v1/vips), and Ctrl-C there deregisters it again:
                  java -jar %2$s register --zk %1$s --service web --address 127.0.0.1 --port 9004 --zone b --id backend-4

                Ctrl-C stops the demo.
                """.formatted(zk, jarPath(), dnsPort);
    }

    /** How to name this jar in a command: relative to the working directory when it is below it. */
    private static String jarPath() {
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.getFileName() != null && jar.getFileName().toString().endsWith(".jar")) {
                Path cwd = Path.of("").toAbsolutePath();
                return jar.startsWith(cwd) ? cwd.relativize(jar).toString() : jar.toString();
            }
        } catch (Exception e) {
            log.debug("cannot locate the jar", e);
        }
        return "lb-core/target/halb.jar";
    }

    static String demoYaml() {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/halb/demo.yaml")) {
            if (in == null) {
                throw new IllegalStateException("demo.yaml is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
