package dev.halb.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.replica.Replica;
import dev.halb.discovery.testing.ShopPayload;
import dev.halb.core.testing.ShortConnectionLoad;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import dev.halb.core.testing.ZooKeeperConfigs;
import dev.halb.discovery.testing.ZooKeeperServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Measures how long a deregistered backend still gets new connections, run by hand (it is
 * skipped otherwise):
 * <pre>
 * mvn -B -q -o -pl lb-discovery,lb-core -am -Dhalb.measure=true -Dhalb.measure.runs=9 \
 *     -Dtest='dev.halb.core.discovery.DeregistrationMeasurementTest' -Dsurefire.failIfNoSpecifiedTests=false test
 * </pre>
 * A replica (one VIP, no health checks) on a curator-test ZooKeeper balances 8 client threads of
 * short echo connections over two steady backends and a victim, all registered with a plain
 * Curator {@code ServiceDiscovery}. Each run registers a fresh victim, waits until it has had 50
 * connections, notes the time, unregisters it ({@code unregisterService}, which returns once
 * ZooKeeper has deleted the node), waits 1.5 s and reads the time the victim accepted its last
 * connection. Printed: that delay from the unregister call and from its return (median, min, max,
 * every run), the victim's connections after the call, and the clients' failed connections.
 */
@EnabledIfSystemProperty(named = "halb.measure", matches = "true")
class DeregistrationMeasurementTest {

    private static final int RUNS = Integer.getInteger("halb.measure.runs", 9);
    private static final int CLIENT_THREADS = 8;

    @RegisterExtension
    final ZooKeeperServerExtension zk = new ZooKeeperServerExtension();

    @Test
    void lastNewConnectionAfterDeregistration() throws Exception {
        List<TestBackend> backends = new ArrayList<>();
        try {
            ServiceDiscovery<ShopPayload> discovery = zk.track(ZooKeeperConfigs.discovery(zk.plainClient()));
            for (int i = 0; i < 2; i++) {
                TestBackend b = TestBackend.echo();
                backends.add(b);
                discovery.registerService(ZooKeeperConfigs.instance("web", "steady-" + i, b.port(), ""));
            }
            Replica replica = zk.track(Replica.start(ZooKeeperConfigs.replica("measure", "", zk.connectString(),
                    TestConfigs.vip("web", List.of())), Replica.Options.defaults()));
            List<Long> fromCall = new ArrayList<>();
            List<Long> fromReturn = new ArrayList<>();
            List<Integer> after = new ArrayList<>();
            try (ShortConnectionLoad load = ShortConnectionLoad.start(replica.vipAddress("web"),
                    ShortConnectionLoad.echo(), CLIENT_THREADS, 10_000_000)) {
                for (int run = 0; run < RUNS; run++) {
                    TestBackend victim = TestBackend.echo();
                    backends.add(victim);
                    ServiceInstance<ShopPayload> instance =
                            ZooKeeperConfigs.instance("web", "victim-" + run, victim.port(), "");
                    discovery.registerService(instance);
                    await().atMost(Duration.ofSeconds(10)).until(() -> victim.accepted() >= 50);
                    int before = victim.accepted();
                    long call = System.nanoTime();
                    discovery.unregisterService(instance);
                    long returned = System.nanoTime();
                    Thread.sleep(1_500);
                    long last = victim.lastAcceptNanos();
                    fromCall.add(TimeUnit.NANOSECONDS.toMicros(last - call));
                    fromReturn.add(TimeUnit.NANOSECONDS.toMicros(last - returned));
                    after.add(victim.accepted() - before);
                    victim.close();
                    backends.remove(victim);
                }
                System.out.printf("deregistration -> last new connection, %d runs, %d client threads:%n"
                                + "  from the unregister call:   %s%n  from its return:            %s%n"
                                + "  victim's connections after the call: %s%n"
                                + "  client connections: %d ok, %d failed%n",
                        RUNS, CLIENT_THREADS, summary(fromCall), summary(fromReturn), after, load.succeeded(),
                        load.failed());
                assertThat(load.failed()).as("%s", load.failures()).isZero();
            }
        } finally {
            backends.forEach(TestBackend::close);
        }
    }

    private static String summary(List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        sorted.sort(null);
        return String.format("median %.1f ms, min %.1f, max %.1f; runs (ms) %s", sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get(0) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0,
                micros.stream().map(m -> String.format("%.1f", m / 1000.0)).toList());
    }
}
