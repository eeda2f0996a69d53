package dev.halb.core.balance;

import static dev.halb.core.balance.TestEndpoints.inRegion;
import static dev.halb.core.balance.TestEndpoints.replicas;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import dev.halb.core.config.Strategy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regions as failover priorities: the local region (and backends with no region) takes
 * {@code min(1, factor * h0)} of new connections, the other regions the rest.
 */
class RegionFailoverTest {

    private static final int PICKS = 100_000;
    /** Distinct clients, so that Maglev's hash-driven level draw sees a spread of hashes. */
    private static final InetSocketAddress[] CLIENTS = TestEndpoints.clients(PICKS);
    private static final RegionContext US = new RegionContext("us", true, 1.4);
    private static final ZoneContext NO_ZONES = ZoneContext.NONE;

    private static VipSelector selector(Strategy strategy, RegionContext regions) {
        return new VipSelector(strategy, 7, ZoneRoutingRecorder.disabled(), regions, RegionRoutingRecorder.disabled());
    }

    /** Picks that went to a backend outside region "us" (region-less backends are local). */
    private static int remotePicks(VipSelector selector) {
        int remote = 0;
        for (InetSocketAddress client : CLIENTS) {
            Endpoint e = selector.pick(client);
            if (!e.region().isEmpty() && !e.region().equals("us")) {
                remote++;
            }
        }
        return remote;
    }

    /** Within 5 standard deviations of a binomial with {@code p}; exact where p is 0 or 1. */
    private static void assertBinomial(int count, double p, String what) {
        double mean = PICKS * p;
        double sigma = Math.sqrt(PICKS * p * (1 - p));
        assertThat((double) count).as("%s (expected share %s)", what, p).isCloseTo(mean, within(5 * sigma));
    }

    static Stream<Arguments> healthyLocalBackends() {
        List<Arguments> out = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            for (int healthy = 4; healthy >= 0; healthy--) {
                out.add(Arguments.of(s, healthy));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, {1} of 4 local healthy")
    @MethodSource("healthyLocalBackends")
    void localRegionTakesFactorTimesItsHealthyShare(Strategy strategy, int healthy) {
        List<Endpoint> local = inRegion(0, "us", "a", 4);
        List<Endpoint> remote = inRegion(10, "eu", "e", 4);
        List<Endpoint> registered = new ArrayList<>(local);
        registered.addAll(remote);
        List<Endpoint> candidates = new ArrayList<>(local.subList(0, healthy));
        candidates.addAll(remote);
        VipSelector selector = selector(strategy, US);
        selector.update(candidates, registered, NO_ZONES);

        // h0 = 1, 0.75, 0.5, 0.25, 0: local takes 1, min(1, 1.05) = 1, 0.7, 0.35, 0.
        double h0 = healthy / 4.0;
        double localShare = Math.min(1, 1.4 * h0);
        RegionRouting routing = selector.regionRouting();
        assertThat(routing.healthyShare()).isEqualTo(h0);
        assertThat(routing.localShare()).isCloseTo(localShare, within(1e-12));
        assertThat(routing.mode()).isEqualTo(healthy == 0 ? RegionRouting.Mode.NO_LOCAL_CANDIDATES
                : localShare == 1 ? RegionRouting.Mode.LOCAL_ONLY : RegionRouting.Mode.FAILOVER);
        assertThat(routing.regions()).containsOnlyKeys(healthy == 0 ? new String[] {"eu"} : new String[] {"eu", "us"});
        assertBinomial(remotePicks(selector), 1 - localShare, "picks in other regions, " + strategy);
    }

    @Test
    void theWorkedExampleKeepsSeventyPercentLocal() {
        // 4 local backends, 2 of them down: h0 = 0.5, the local region keeps 1.4 * 0.5 = 70 %.
        List<Endpoint> local = inRegion(0, "us", "a", 4);
        List<Endpoint> remote = inRegion(10, "eu", "e", 4);
        List<Endpoint> registered = new ArrayList<>(local);
        registered.addAll(remote);
        List<Endpoint> candidates = new ArrayList<>(local.subList(2, 4));
        candidates.addAll(remote);
        VipSelector selector = selector(Strategy.P2C, US);
        selector.update(candidates, registered, NO_ZONES);

        assertThat(selector.regionRouting().localShare()).isCloseTo(0.7, within(1e-12));
        assertThat(selector.regionRouting().regions()).containsOnlyKeys("eu", "us");
        assertThat(selector.regionRouting().regions().get("us")).isCloseTo(0.7, within(1e-12));
        assertThat(selector.regionRouting().regions().get("eu")).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void drainedBackendsCountInNeitherLevel() {
        // 4 local, 2 drained (not registered) and 2 healthy: h0 = 2 / 2, nothing fails over.
        List<Endpoint> local = inRegion(0, "us", "a", 4);
        List<Endpoint> remote = inRegion(10, "eu", "e", 2);
        List<Endpoint> notDrained = new ArrayList<>(local.subList(2, 4));
        notDrained.addAll(remote);
        VipSelector selector = selector(Strategy.ROUND_ROBIN, US);
        selector.update(notDrained, notDrained, NO_ZONES);

        assertThat(selector.regionRouting().mode()).isEqualTo(RegionRouting.Mode.LOCAL_ONLY);
        assertThat(remotePicks(selector)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aShortLocalRegionKeepsEverythingWhenNoOtherRegionHasCandidates(Strategy strategy) {
        List<Endpoint> local = inRegion(0, "us", "a", 4);
        List<Endpoint> remote = inRegion(10, "eu", "e", 2);
        List<Endpoint> registered = new ArrayList<>(local);
        registered.addAll(remote); // registered, but failing their checks
        VipSelector selector = selector(strategy, US);
        selector.update(local.subList(0, 1), registered, NO_ZONES);

        assertThat(selector.regionRouting().mode()).isEqualTo(RegionRouting.Mode.NO_REMOTE_CANDIDATES);
        assertThat(selector.regionRouting().localShare()).isEqualTo(1.0);
        assertThat(selector.regionRouting().healthyShare()).isEqualTo(0.25);
        for (int i = 0; i < 1000; i++) {
            assertThat(selector.pick(CLIENTS[i])).isSameAs(local.get(0));
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void noLocalCandidateSendsEverythingAwayAndIgnoresZones(Strategy strategy) {
        List<Endpoint> local = inRegion(0, "us", "a", 3);
        List<Endpoint> remote = inRegion(10, "eu", "e", 3);
        List<Endpoint> registered = new ArrayList<>(local);
        registered.addAll(remote);
        VipSelector selector = selector(strategy, US);
        selector.update(remote, registered, ZoneContext.of("a", true, 3));

        assertThat(selector.regionRouting().mode()).isEqualTo(RegionRouting.Mode.NO_LOCAL_CANDIDATES);
        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.REGION_FAILOVER);
        assertThat(selector.zoneSplit()).containsExactly(entry("e", 1.0));
        assertThat(remotePicks(selector)).isEqualTo(PICKS);
    }

    @Test
    void noCandidatesAtAll() {
        VipSelector selector = selector(Strategy.P2C, US);
        selector.update(List.of(), inRegion(0, "us", "a", 2), NO_ZONES);

        assertThat(selector.regionRouting().mode()).isEqualTo(RegionRouting.Mode.NO_CANDIDATES);
        assertThat(selector.regionRouting().remoteShare()).isZero();
        assertThat(selector.pick(CLIENTS[0])).isNull();
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void backendsWithNoRegionAreLocal(Strategy strategy) {
        List<Endpoint> candidates = new ArrayList<>(inRegion(0, "", "a", 2));
        candidates.addAll(inRegion(10, "eu", "e", 4));
        VipSelector selector = selector(strategy, US);
        selector.update(candidates, candidates, NO_ZONES);

        assertThat(selector.regionRouting().mode()).isEqualTo(RegionRouting.Mode.LOCAL_ONLY);
        for (int i = 0; i < 1000; i++) {
            assertThat(selector.pick(CLIENTS[i]).region()).isEmpty();
        }
    }

    @Test
    void theZoneRuleAppliesInsideTheLocalRegion() {
        // Local region: zone a 1 backend, zone b 3; the remote region's zone c holds 8 backends and
        // 6 replicas that serve that region, so L counts a and b only: L_a = 1/2, U_a = 1/4, so
        // a keeps (1/4)/(1/2) = 1/2 of the local connections and b takes the other half.
        List<Endpoint> candidates = new ArrayList<>(inRegion(0, "us", "a", 1));
        candidates.addAll(inRegion(1, "us", "b", 3));
        candidates.addAll(inRegion(10, "eu", "c", 8));
        VipSelector selector = selector(Strategy.RANDOM, US);
        selector.update(candidates, candidates, new ZoneContext("a", true, 3, replicas("a", 1, "b", 1, "c", 6)));

        assertThat(selector.regionRouting().mode()).isEqualTo(RegionRouting.Mode.LOCAL_ONLY);
        assertThat(selector.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.PROPORTIONAL);
        assertThat(selector.zoneSplit()).containsOnlyKeys("a", "b");
        assertThat(selector.zoneSplit().get("a")).isCloseTo(0.5, within(1e-12));
        Map<String, Integer> zones = new HashMap<>();
        for (InetSocketAddress client : CLIENTS) {
            zones.merge(selector.pick(client).zone(), 1, Integer::sum);
        }
        assertThat(zones).containsOnlyKeys("a", "b");
        assertBinomial(zones.get("a"), 0.5, "picks in zone a");
    }

    @Test
    void maglevReplicasOfOneRegionAgreeOnEveryClientDuringFailover() {
        List<Endpoint> local = inRegion(0, "us", "a", 4);
        List<Endpoint> remote = inRegion(10, "eu", "e", 4);
        List<Endpoint> registered = new ArrayList<>(local);
        registered.addAll(remote);
        List<Endpoint> candidates = new ArrayList<>(local.subList(0, 2));
        candidates.addAll(remote);
        VipSelector one = new VipSelector(Strategy.MAGLEV, 1, ZoneRoutingRecorder.disabled(), US,
                RegionRoutingRecorder.disabled());
        VipSelector two = new VipSelector(Strategy.MAGLEV, 987_654_321, ZoneRoutingRecorder.disabled(), US,
                RegionRoutingRecorder.disabled());
        one.update(candidates, registered, NO_ZONES);
        List<Endpoint> otherOrder = new ArrayList<>(candidates);
        java.util.Collections.reverse(otherOrder); // the order they arrived in does not matter
        two.update(otherOrder, registered, NO_ZONES);

        assertThat(one.regionRouting().mode()).isEqualTo(RegionRouting.Mode.FAILOVER);
        for (InetSocketAddress client : CLIENTS) {
            assertThat(two.pick(client)).isSameAs(one.pick(client));
        }
    }

    @Test
    void aFallbackModeChangeIsReported() {
        List<RegionRouting.Mode> changes = new ArrayList<>();
        VipSelector selector = new VipSelector(Strategy.P2C, 7, ZoneRoutingRecorder.disabled(), US,
                (previous, current) -> changes.add(current));
        List<Endpoint> local = inRegion(0, "us", "a", 4);
        List<Endpoint> remote = inRegion(10, "eu", "e", 4);
        List<Endpoint> registered = new ArrayList<>(local);
        registered.addAll(remote);

        selector.update(registered, registered, NO_ZONES);
        selector.update(registered.subList(2, 8), registered, NO_ZONES);
        selector.update(registered.subList(3, 8), registered, NO_ZONES); // still failover: no report
        selector.update(remote, registered, NO_ZONES);
        selector.update(registered, registered, NO_ZONES);

        assertThat(changes).containsExactly(RegionRouting.Mode.LOCAL_ONLY, RegionRouting.Mode.FAILOVER,
                RegionRouting.Mode.NO_LOCAL_CANDIDATES, RegionRouting.Mode.LOCAL_ONLY);
    }

    static Stream<Arguments> regionsIgnored() {
        List<Arguments> out = new ArrayList<>();
        for (Strategy s : Strategy.values()) {
            out.add(Arguments.of(s, new RegionContext("us", false, 1.4), RegionRouting.Mode.DISABLED));
            out.add(Arguments.of(s, new RegionContext("", true, 1.4), RegionRouting.Mode.NO_LOCAL_REGION));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, {2}")
    @MethodSource("regionsIgnored")
    void disabledOrWithoutARegionSelectionIsExactlyAsWithoutRegions(Strategy strategy, RegionContext regions,
                                                                     RegionRouting.Mode mode) {
        List<Endpoint> candidates = new ArrayList<>(inRegion(0, "us", "a", 2));
        candidates.addAll(inRegion(2, "us", "b", 4));
        candidates.addAll(inRegion(10, "eu", "c", 6));
        List<Endpoint> registered = new ArrayList<>(candidates);
        registered.addAll(inRegion(20, "us", "a", 6)); // down: would be failover with regions on
        ZoneContext zones = new ZoneContext("a", true, 3, replicas("a", 2, "b", 1, "c", 1));
        VipSelector with = new VipSelector(strategy, 7, ZoneRoutingRecorder.disabled(), regions,
                RegionRoutingRecorder.disabled());
        VipSelector without = new VipSelector(strategy, 7);
        with.update(candidates, registered, zones);
        without.update(candidates, zones);

        assertThat(with.regionRouting().mode()).isEqualTo(mode);
        assertThat(with.regionRouting().active()).isFalse();
        assertThat(with.zoneRouting()).isEqualTo(without.zoneRouting());
        assertThat(with.picker().getClass()).isEqualTo(without.picker().getClass());
        assertThat(with.picker().candidates()).containsExactly(without.picker().candidates());
        if (strategy == Strategy.MAGLEV) {
            // Deterministic, zone draw included: the very same backend for every client.
            for (InetSocketAddress client : CLIENTS) {
                assertThat(with.pick(client)).isSameAs(without.pick(client));
            }
        }
        if (strategy == Strategy.ROUND_ROBIN) {
            // Deterministic once no random zone draw comes first: the very same sequence.
            with.update(candidates, registered, ZoneContext.NONE);
            without.update(candidates, ZoneContext.NONE);
            for (InetSocketAddress client : CLIENTS) {
                assertThat(with.pick(client)).isSameAs(without.pick(client));
            }
        }
    }

    @Test
    void theFactorIsAtLeastOne() {
        assertThatThrownBy(() -> new RegionContext("us", true, 0.9))
                .hasMessage("overprovisioningFactor: 0.9 (expected: a finite number >= 1)");
        assertThatThrownBy(() -> new RegionContext("us", true, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
