package dev.halb.core.cli;

import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.replica.StartupException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code halb demo}: three small HTTP backends in zones a, a and b and one replica in zone a on
 * 127.0.0.1:8080, admin on 127.0.0.1:9990 (config/demo.yaml). Prints what to try; Ctrl-C stops.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs a one-machine demo: three HTTP backends in zones a, a, b and a replica in zone a "
                + "on 127.0.0.1:8080 (admin 127.0.0.1:9990).")
final class DemoCommand implements Callable<Integer> {

    static final List<DemoBackends.Spec> BACKENDS = List.of(
            new DemoBackends.Spec("backend-1", "a", 9001),
            new DemoBackends.Spec("backend-2", "a", 9002),
            new DemoBackends.Spec("backend-3", "b", 9003));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HalbConfig config = new ConfigLoader(System.getenv()).parse(demoYaml(), "demo.yaml");
        try (DemoBackends backends = new DemoBackends()) {
            try {
                backends.start(BACKENDS);
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
            out.print("""

                    halb demo is running: VIP web on 127.0.0.1:8080 over three backends
                    (backend-1 and backend-2 in zone a, backend-3 in zone b); this replica is in zone a.

                    Try:
                      for i in 1 2 3 4 5 6; do curl -s http://127.0.0.1:8080/; done
                      curl -s http://127.0.0.1:9990/api/v1/vips
                      curl -s http://127.0.0.1:9990/api/v1/status
                      curl -s http://127.0.0.1:9990/metrics | grep '^halb_'
                      curl -s -X POST -H 'Authorization: Bearer demo-token' \\
                           http://127.0.0.1:9990/api/v1/vips/web/backends/127.0.0.1:9001/drain

                    Ctrl-C stops it.
                    """);
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Signals.onTerminate(() -> {
                try {
                    replica.drain();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    replica.close();
                } finally {
                    stopped.countDown();
                }
            });
            stopped.await();
        }
        return Main.OK;
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
