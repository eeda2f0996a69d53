package dev.halb.core.cli;

import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.replica.Replica;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code halb check --config FILE}: validates a configuration and prints the resolved VIPs. */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Validates a configuration and prints the resolved VIPs. Exits 0 when valid, 2 when not.")
final class CheckCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "YAML configuration file")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        HalbConfig c = ConfigFiles.load(config, spec.commandLine().getErr());
        if (c == null) {
            return Main.INVALID;
        }
        out.printf("configuration %s is valid%n", config);
        out.printf("replica: id=%s zone=%s region=%s%n", Replica.resolveId(c), orDefault(c.replica().zone(), "(none)"), orDefault(c.replica().region(), "(none)"));
        out.printf("discovery: %s%n", c.discovery().zookeeper().enabled()
                ? "zookeeper " + c.discovery().zookeeper().connect() + " root " + c.discovery().zookeeper().root()
                : "static only");
        out.printf("admin: %s (POST endpoints %s)%n", c.admin().bind(),
                c.admin().token().isEmpty() ? "disabled" : "enabled");
        out.printf("dns: %s%n", c.dns().enabled()
                ? c.dns().domain() + " on " + c.dns().bind() + " (UDP and TCP), ttl " + c.dns().ttlSeconds() + " s"
                : "off");
        if (c.discovery().zookeeper().enabled()) {
            out.printf("peers: probe every %d ms, timeout %d ms, down after %d failures%n", c.peers().probeIntervalMs(),
                    c.peers().timeoutMs(), c.peers().unhealthyThreshold());
        }
        out.printf("vips: %d%n", c.vips().size());
        if (c.servesNothing()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("halb: warning: " + config + " serves nothing: it has no VIPs, and no ZooKeeper "
                    + "(discovery.zookeeper.connect) to add any at run time");
            err.flush();
        }
        for (VipConfig v : c.vips()) {
            out.printf("  %s: bind %s, service %s, strategy %s, health %s, maxConnections %d, connectTimeoutMs %d, "
                            + "connectRetries %d, idleTimeoutMs %d%n",
                    v.name(), v.bind(), v.service(), v.strategy().label(), v.healthCheck().type().label(),
                    v.maxConnections(), v.connectTimeoutMs(), v.connectRetries(), v.idleTimeoutMs());
            for (BackendConfig b : v.backends()) {
                out.printf("    backend %s:%d zone=%s%s weight=%d%n", b.address(), b.port(),
                        orDefault(b.zone(), "(none)"), b.region().isEmpty() ? "" : " region=" + b.region(), b.weight());
            }
        }
        out.flush();
        return Main.OK;
    }

    private static String orDefault(String s, String fallback) {
        return s == null || s.isEmpty() ? fallback : s;
    }
}
