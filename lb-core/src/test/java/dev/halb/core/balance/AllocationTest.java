package dev.halb.core.balance;

import static dev.halb.core.balance.TestEndpoints.replicas;
import static dev.halb.core.balance.TestEndpoints.zones;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.halb.core.config.Strategy;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A pick allocates nothing, with zone routing spilling over (the longest path). */
class AllocationTest {

    private static final int PICKS = 100_000;

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void picksAllocateNothing(Strategy strategy) {
        VipSelector selector = new VipSelector(strategy, 3);
        selector.update(zones(0, "a", 2, "b", 4, "c", 6),
                new ZoneContext("a", true, 3, replicas("a", 2, "b", 1, "c", 1)));
        assertNoAllocation(selector);
    }

    /** Region failover splitting (the local region half down), zone routing spilling over inside it. */
    @ParameterizedTest
    @EnumSource(Strategy.class)
    void picksUnderRegionFailoverAllocateNothing(Strategy strategy) {
        VipSelector selector = new VipSelector(strategy, 3, ZoneRoutingRecorder.disabled(),
                new RegionContext("us", true, 1.4), RegionRoutingRecorder.disabled());
        List<Endpoint> registered = new ArrayList<>(TestEndpoints.inRegion(0, "us", "a", 2));
        registered.addAll(TestEndpoints.inRegion(2, "us", "b", 4));
        registered.addAll(TestEndpoints.inRegion(6, "us", "c", 6));
        registered.addAll(TestEndpoints.inRegion(20, "eu", "e", 6));
        List<Endpoint> candidates = new ArrayList<>(registered);
        candidates.removeIf(e -> e.region().equals("us") && TestEndpoints.index(e) % 2 == 1);
        selector.update(candidates, registered, new ZoneContext("a", true, 3, replicas("a", 2, "b", 1, "c", 1)));
        assertThat(selector.regionRouting().mode()).isEqualTo(RegionRouting.Mode.FAILOVER);
        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.PROPORTIONAL);
        assertNoAllocation(selector);
    }

    private static void assertNoAllocation(VipSelector selector) {
        assumeThat(ManagementFactory.getThreadMXBean()).isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);

        InetSocketAddress[] clients = TestEndpoints.clients(1024);
        Endpoint[] tried = new Endpoint[1];
        long sink = 0;
        for (int i = 0; i < PICKS; i++) { // warm up, also the first ThreadLocalRandom use
            sink += selector.pick(clients[i & 1023]).weight();
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        long baseline = threads.getThreadAllocatedBytes(tid) - before; // the probe itself
        before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < PICKS; i++) {
            Endpoint e = selector.pick(clients[i & 1023]);
            tried[0] = e;
            sink += e.weight() + selector.pickExcluding(clients[i & 1023], tried, 1).weight();
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before - baseline;

        assertThat(sink).isPositive();
        assertThat(allocated).as("bytes allocated by %d picks and retries", PICKS).isLessThan(1024);
    }
}
