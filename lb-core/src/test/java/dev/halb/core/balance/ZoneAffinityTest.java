package dev.halb.core.balance;

import static dev.halb.core.balance.TestEndpoints.replicas;
import static dev.halb.core.balance.TestEndpoints.zones;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import dev.halb.core.config.Strategy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Envoy's proportional zone-aware rule, fed by the replica registry. */
class ZoneAffinityTest {

    private static final int PICKS = 100_000;
    /** Distinct clients, so that Maglev's hash-driven zone draw sees a spread of hashes. */
    private static final InetSocketAddress[] CLIENTS = TestEndpoints.clients(PICKS);

    private static ZoneContext local(String zone, Map<String, Integer> replicas) {
        return new ZoneContext(zone, true, 3, replicas);
    }

    private static Map<String, Double> pickShares(VipSelector selector) {
        Map<String, Integer> counts = new HashMap<>();
        for (InetSocketAddress client : CLIENTS) {
            counts.merge(selector.pick(client).zone(), 1, Integer::sum);
        }
        Map<String, Double> shares = new HashMap<>();
        counts.forEach((z, c) -> shares.put(z, (double) c / PICKS));
        return shares;
    }

    private static void assertShares(Map<String, Double> actual, Map<String, Double> expected, double relative) {
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            double want = e.getValue();
            double got = actual.getOrDefault(e.getKey(), 0.0);
            assertThat(got).as("share of zone '%s' (actual %s)", e.getKey(), actual)
                    .isCloseTo(want, within(want == 0 ? 0.0 : relative * want));
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void enoughLocalCapacityKeepsEveryPickLocal(Strategy strategy) {
        VipSelector selector = new VipSelector(strategy, 7);
        // U_a = 4/12 = L_a = 1/3
        selector.update(zones(0, "a", 4, "b", 4, "c", 4), local("a", replicas("a", 1, "b", 1, "c", 1)));

        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.LOCAL_ONLY);
        assertThat(selector.zoneSplit()).containsExactly(entry("a", 1.0), entry("b", 0.0), entry("c", 0.0));
        for (InetSocketAddress client : CLIENTS) {
            assertThat(selector.pick(client).zone()).isEqualTo("a");
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void shortLocalCapacityStaysLocalByUOverLAndSpillsByResidual(Strategy strategy) {
        VipSelector selector = new VipSelector(strategy, 7);
        // U = a 2/12, b 4/12, c 6/12; L = a 1/2, b 1/4, c 1/4.
        // local: (1/6)/(1/2) = 1/3; residuals b 1/3-1/4 = 1/12, c 1/2-1/4 = 1/4, so b:c = 1:3 of 2/3.
        selector.update(zones(0, "a", 2, "b", 4, "c", 6), local("a", replicas("a", 2, "b", 1, "c", 1)));

        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.PROPORTIONAL);
        Map<String, Double> expected = Map.of("a", 1.0 / 3, "b", 1.0 / 6, "c", 1.0 / 2);
        assertShares(selector.zoneSplit(), expected, 1e-9);
        assertShares(pickShares(selector), expected, 0.03);
    }

    @Test
    void withoutRegistryEveryZoneWithCandidatesCountsEqually() {
        VipSelector selector = new VipSelector(Strategy.P2C, 7);
        // n = 8: U = a 1/8, b 3/8, c 1/2; L = 1/3 each. local (1/8)/(1/3) = 3/8;
        // residuals b 1/24, c 1/6, so b:c = 1:4 of 5/8.
        selector.update(zones(0, "a", 1, "b", 3, "c", 4), ZoneContext.of("a", true, 3));

        Map<String, Double> expected = Map.of("a", 3.0 / 8, "b", 1.0 / 8, "c", 1.0 / 2);
        assertShares(selector.zoneSplit(), expected, 1e-9);
        assertShares(pickShares(selector), expected, 0.03);
    }

    @Test
    void replicasJoiningOrLeavingAnotherZoneChangeTheSplit() {
        VipSelector selector = new VipSelector(Strategy.ROUND_ROBIN, 7);
        ZoneContext context = local("a", replicas("a", 1, "b", 1));
        selector.update(zones(0, "a", 2, "b", 2, "c", 2), context);
        // L = a 1/2, b 1/2: local (1/3)/(1/2) = 2/3, b has no residual, c has 1/3 (no replica there)
        Map<String, Double> first = Map.of("a", 2.0 / 3, "b", 0.0, "c", 1.0 / 3);
        assertShares(selector.zoneSplit(), first, 1e-9);
        assertShares(pickShares(selector), first, 0.03);

        // a replica joins in c: L = 1/3 each = U, everything stays local
        selector.updateZones(context.withReplicas(replicas("a", 1, "b", 1, "c", 1)));
        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.LOCAL_ONLY);
        assertShares(pickShares(selector), Map.of("a", 1.0, "b", 0.0, "c", 0.0), 0.0);

        // the replica in b leaves: L = a 1/2, c 1/2, so b now takes the spill-over
        selector.updateZones(context.withReplicas(replicas("a", 1, "c", 1)));
        Map<String, Double> third = Map.of("a", 2.0 / 3, "b", 1.0 / 3, "c", 0.0);
        assertShares(selector.zoneSplit(), third, 1e-9);
        assertShares(pickShares(selector), third, 0.03);
    }

    @Test
    void thisReplicaCountsInItsZoneBeforeTheRegistryShowsIt() {
        VipSelector selector = new VipSelector(Strategy.RANDOM, 7);
        // registry has 3 replicas in b and not yet this one: L = a 1/4, b 3/4; U_a = 1/2 >= 1/4
        selector.update(zones(0, "a", 2, "b", 2), local("a", replicas("b", 3)));
        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.LOCAL_ONLY);
    }

    @Test
    void backendsWithNoZoneFormTheirOwnZone() {
        VipSelector selector = new VipSelector(Strategy.P2C, 7);
        // zones "" (3) and a (1), no registry: L = 1/2 each; local (1/4)/(1/2) = 1/2
        selector.update(zones(0, "", 3, "a", 1), ZoneContext.of("a", true, 3));
        Map<String, Double> expected = Map.of("a", 0.5, "", 0.5);
        assertShares(selector.zoneSplit(), expected, 1e-9);
        assertShares(pickShares(selector), expected, 0.03);
    }

    @Test
    void noLocalZoneUsesEveryZoneByWeight() {
        List<Endpoint> candidates = new ArrayList<>(zones(0, "a", 2, "b", 2));
        candidates.add(TestEndpoints.endpoint(10, "c", 400)); // c: 400 of 800
        VipSelector selector = new VipSelector(Strategy.RANDOM, 7);
        selector.update(candidates, local("", replicas("a", 1, "b", 1, "c", 1)));

        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.NO_LOCAL_ZONE);
        assertThat(selector.zoneRouting().active()).isFalse();
        Map<String, Double> expected = Map.of("a", 0.25, "b", 0.25, "c", 0.5);
        assertShares(selector.zoneSplit(), expected, 1e-9);
        assertShares(pickShares(selector), expected, 0.03);

        selector.update(candidates); // the convenience form: no zone preference
        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.DISABLED);
        assertShares(pickShares(selector), expected, 0.03);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void fewerThanMinBackendsUsesEveryZone(Strategy strategy) {
        VipSelector selector = new VipSelector(strategy, 7);
        // U_a = 1/2 >= L_a = 1/3 would keep everything local, but 2 < minBackends 3
        selector.update(zones(0, "a", 1, "b", 1), local("a", replicas("a", 1, "b", 1, "c", 1)));

        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.BELOW_MIN_BACKENDS);
        Map<String, Double> expected = Map.of("a", 0.5, "b", 0.5);
        assertShares(selector.zoneSplit(), expected, 1e-9);
        assertShares(pickShares(selector), expected, 0.03);
    }

    @Test
    void everyOtherFallbackHasAName() {
        VipSelector selector = new VipSelector(Strategy.P2C, 7);
        selector.update(zones(0, "a", 3, "b", 3), new ZoneContext("a", false, 3, Map.of()));
        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.DISABLED);

        selector.update(zones(0, "b", 3, "c", 3), ZoneContext.of("a", true, 3));
        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.NO_LOCAL_CANDIDATES);
        assertThat(selector.zoneRouting().mode().reason()).isEqualTo("local zone has no candidates");
        assertShares(pickShares(selector), Map.of("b", 0.5, "c", 0.5), 0.03);

        selector.update(List.of(), ZoneContext.of("a", true, 3));
        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.NO_CANDIDATES);
        assertThat(selector.zoneSplit()).isEmpty();
        assertThat(selector.pick(CLIENTS[0])).isNull();
        assertThat(selector.pickExcluding(CLIENTS[0], new Endpoint[0], 0)).isNull();
    }

    @Test
    void recorderHearsModeChangesAndSpillOvers() {
        List<String> modes = new ArrayList<>();
        AtomicInteger spilled = new AtomicInteger();
        ZoneRoutingRecorder recorder = new ZoneRoutingRecorder() {
            @Override
            public void modeChanged(ZoneRouting.Mode previous, ZoneRouting.Mode current) {
                modes.add(previous.label() + "->" + current.label());
            }

            @Override
            public void spilledOver(String zone) {
                assertThat(zone).isNotEqualTo("a");
                spilled.incrementAndGet();
            }
        };
        VipSelector selector = new VipSelector(Strategy.P2C, 7, recorder);
        List<Endpoint> candidates = zones(0, "a", 2, "b", 4, "c", 6);
        ZoneContext context = local("a", replicas("a", 2, "b", 1, "c", 1));
        selector.update(candidates, context);
        selector.update(candidates, context); // no change, no call
        pickShares(selector);
        selector.update(candidates.subList(0, 2), context);

        assertThat(modes).containsExactly("no_candidates->proportional", "proportional->below_min_backends");
        assertThat((double) spilled.get() / PICKS).isCloseTo(2.0 / 3, within(0.02));
    }

    @Test
    void aFailingRecorderDoesNotBreakSelection() {
        ZoneRoutingRecorder broken = new ZoneRoutingRecorder() {
            @Override
            public void modeChanged(ZoneRouting.Mode previous, ZoneRouting.Mode current) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void spilledOver(String zone) {
                throw new IllegalStateException("boom");
            }
        };
        VipSelector selector = new VipSelector(Strategy.RANDOM, 7, broken);
        selector.update(zones(0, "a", 2, "b", 4, "c", 6), local("a", replicas("a", 2, "b", 1, "c", 1)));
        assertThat(pickShares(selector).values().stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo(1.0, within(1e-9));
    }

    @Test
    void unchangedZonesKeepTheirPickers() {
        VipSelector selector = new VipSelector(Strategy.MAGLEV, 7);
        List<Endpoint> candidates = zones(0, "a", 2, "b", 4, "c", 6);
        selector.update(candidates, local("a", replicas("a", 2, "b", 1, "c", 1)));
        Picker[] before = ((ZoneAwarePicker) selector.picker()).pickers();
        selector.updateZones(local("a", replicas("a", 3, "b", 1, "c", 1)));
        Picker[] after = ((ZoneAwarePicker) selector.picker()).pickers();
        assertThat(after).containsExactly(before);
    }
}
