package dev.halb.core.balance;

import static dev.halb.core.balance.TestEndpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.halb.core.config.Strategy;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every strategy but Maglev gives each backend its weight's share of new connections. */
class WeightedDistributionTest {

    private static final int PICKS = 100_000;
    /*
     * The smallest share is 10 %: over 100 000 random picks its 5 % tolerance is about five
     * standard deviations, so a correct strategy does not fail by chance. (With a 2.5 % share,
     * as these weights once had, 5 % was 2.5 deviations and a correct least-conn failed now and
     * then.)
     */
    private static final int[] WEIGHTS = {100, 150, 200, 250, 300};
    private static final int TOTAL_WEIGHT = 1000;
    private static final InetSocketAddress CLIENT = new InetSocketAddress(TestEndpoints.ip(192, 0, 2, 7), 5000);

    private static List<Endpoint> weighted() {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < WEIGHTS.length; i++) {
            out.add(endpoint(i, "a", WEIGHTS[i]));
        }
        return out;
    }

    /** Picks with no connection ever open: ties everywhere, broken by weight. */
    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = "MAGLEV", mode = EnumSource.Mode.EXCLUDE)
    void idleBackendsGetTheirWeightShare(Strategy strategy) {
        List<Endpoint> endpoints = weighted();
        VipSelector selector = new VipSelector(strategy, 42);
        selector.update(endpoints);
        int[] counts = new int[endpoints.size()];
        for (int i = 0; i < PICKS; i++) {
            counts[TestEndpoints.index(selector.pick(CLIENT))]++;
        }
        assertWeightShares(counts);
    }

    /**
     * Picks that open a connection each, closed first in first out once 600 are open: the load
     * that least-conn and p2c balance by active connections per weight.
     */
    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = "MAGLEV", mode = EnumSource.Mode.EXCLUDE)
    void loadedBackendsGetTheirWeightShare(Strategy strategy) {
        List<Endpoint> endpoints = weighted();
        VipSelector selector = new VipSelector(strategy, 42);
        selector.update(endpoints);
        int[] counts = new int[endpoints.size()];
        ArrayDeque<Endpoint> open = new ArrayDeque<>();
        for (int i = 0; i < PICKS; i++) {
            Endpoint e = selector.pick(CLIENT);
            counts[TestEndpoints.index(e)]++;
            e.connectionOpened();
            open.add(e);
            if (open.size() > 600) {
                open.poll().connectionClosed();
            }
        }
        assertWeightShares(counts);
        if (strategy == Strategy.LEAST_CONN) {
            // and the open connections per weight are level
            for (Endpoint e : endpoints) {
                assertThat((double) e.activeConnections() / e.weight())
                        .isCloseTo(600.0 / TOTAL_WEIGHT, within(0.02));
            }
        }
    }

    @Test
    void roundRobinIsExactOverAPeriodAndSmooth() {
        // weights 5,1,1: a,a,a,b,c,a,a - the heavy one spread out, never five in a row
        assertThat(RoundRobinPicker.smoothSequence(new int[] {5, 1, 1})).containsExactly(0, 0, 0, 1, 2, 0, 0);
        int[] seq = RoundRobinPicker.smoothSequence(new int[] {100, 300, 200});
        assertThat(seq).hasSize(6); // gcd 100
        int[] counts = new int[3];
        for (int i : seq) {
            counts[i]++;
        }
        assertThat(counts).containsExactly(1, 3, 2);
    }

    @Test
    void roundRobinScalesLongPeriodsDownAndKeepsShares() {
        int n = 3000;
        int[] w = new int[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = 9_000 + (i * 7919) % 1000 + 1; // co-prime-ish weights: a period of millions
            sum += w[i];
        }
        int[] seq = RoundRobinPicker.smoothSequence(w);
        assertThat(seq.length).isLessThanOrEqualTo(RoundRobinPicker.MAX_PERIOD + n);
        int[] counts = new int[n];
        for (int i : seq) {
            counts[i]++;
        }
        for (int i = 0; i < n; i++) {
            assertThat((double) counts[i] / seq.length).isCloseTo((double) w[i] / sum, within(0.01 * w[i] / sum));
        }
    }

    @Test
    void p2cAndLeastConnPreferFewerConnectionsPerWeight() {
        Endpoint light = endpoint(0, "a", 100);
        Endpoint heavy = endpoint(1, "a", 400);
        for (int i = 0; i < 10; i++) {
            light.connectionOpened(); // 10 per 100
        }
        for (int i = 0; i < 20; i++) {
            heavy.connectionOpened(); // 5 per 100: the better one
        }
        for (Strategy strategy : new Strategy[] {Strategy.P2C, Strategy.LEAST_CONN}) {
            VipSelector selector = new VipSelector(strategy, 1);
            selector.update(List.of(light, heavy));
            for (int i = 0; i < 1000; i++) {
                assertThat(selector.pick(CLIENT)).as("%s", strategy).isSameAs(heavy);
            }
        }
    }

    private static void assertWeightShares(int[] counts) {
        long total = 0;
        for (int w : WEIGHTS) {
            total += w;
        }
        for (int i = 0; i < WEIGHTS.length; i++) {
            double expected = (double) WEIGHTS[i] / total;
            double actual = (double) counts[i] / PICKS;
            assertThat(actual).as("share of backend %d (weight %d)", i, WEIGHTS[i])
                    .isCloseTo(expected, within(0.05 * expected));
        }
    }
}
