package dev.halb.core.balance;

import static dev.halb.core.balance.TestEndpoints.endpoint;
import static dev.halb.core.balance.TestEndpoints.replicas;
import static dev.halb.core.balance.TestEndpoints.zones;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.halb.core.config.Strategy;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Maglev: replicas agree without talking, and a change of one backend moves few clients. */
class MaglevTest {

    private static final InetSocketAddress[] CLIENTS = TestEndpoints.clients(10_000);

    private static List<Endpoint> tenBackends() {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(endpoint(i, "a", 100));
        }
        return out;
    }

    @Test
    void twoIndependentlyBuiltSelectorsAgreeOnEveryClient() {
        // Two replicas: their own Endpoint objects, seeds, and arrival orders.
        List<Endpoint> mine = tenBackends();
        List<Endpoint> theirs = tenBackends();
        Collections.shuffle(theirs, new Random(3));
        VipSelector one = new VipSelector(Strategy.MAGLEV, 1);
        VipSelector two = new VipSelector(Strategy.MAGLEV, 987_654_321);
        one.update(mine);
        two.update(theirs);

        for (InetSocketAddress client : CLIENTS) {
            assertThat(two.pick(client).id()).isEqualTo(one.pick(client).id());
        }
    }

    @Test
    void replicasInTheSameZoneAgreeUnderAZoneSplit() {
        ZoneContext context = new ZoneContext("a", true, 3, replicas("a", 2, "b", 1, "c", 1));
        List<Endpoint> theirs = zones(0, "a", 2, "b", 4, "c", 6);
        Collections.reverse(theirs);
        VipSelector one = new VipSelector(Strategy.MAGLEV, 1);
        VipSelector two = new VipSelector(Strategy.MAGLEV, 2);
        one.update(zones(0, "a", 2, "b", 4, "c", 6), context);
        two.update(theirs, context);
        assertThat(one.zoneRouting().mode()).isEqualTo(ZoneRouting.Mode.PROPORTIONAL);

        int local = 0;
        for (InetSocketAddress client : CLIENTS) {
            Endpoint e = one.pick(client);
            assertThat(two.pick(client).id()).isEqualTo(e.id());
            assertThat(one.pick(new InetSocketAddress(client.getAddress(), 1234))).as("same IP, other port")
                    .isSameAs(e);
            local += e.zone().equals("a") ? 1 : 0;
        }
        assertThat((double) local / CLIENTS.length).isCloseTo(1.0 / 3, within(0.03 / 3));
    }

    @Test
    void removingOneOfTenBackendsMovesFewOfTheOtherClients() {
        List<Endpoint> all = tenBackends();
        VipSelector before = new VipSelector(Strategy.MAGLEV, 1);
        before.update(all);
        Endpoint removed = all.get(4);
        List<Endpoint> rest = new ArrayList<>(all);
        rest.remove(removed);
        VipSelector after = new VipSelector(Strategy.MAGLEV, 1);
        after.update(rest);

        int others = 0;
        int moved = 0;
        for (InetSocketAddress client : CLIENTS) {
            Endpoint was = before.pick(client);
            Endpoint is = after.pick(client);
            assertThat(is).isNotSameAs(removed);
            if (was != removed) {
                others++;
                moved += was == is ? 0 : 1;
            }
        }
        assertThat(others).isGreaterThan(8_000);
        assertThat((double) moved / others).isLessThanOrEqualTo(0.15);
    }

    @Test
    void tableSlotsFollowWeights() {
        Endpoint[] candidates = {endpoint(0, "a", 100), endpoint(1, "a", 200), endpoint(2, "a", 300),
            endpoint(3, "a", 400)};
        int m = MaglevPicker.DEFAULT_TABLE_SIZE;
        int[] table = MaglevPicker.build(candidates, m);
        int[] slots = new int[candidates.length];
        for (int i : table) {
            slots[i]++;
        }
        for (int i = 0; i < candidates.length; i++) {
            double expected = (i + 1) / 10.0;
            assertThat((double) slots[i] / m).isCloseTo(expected, within(0.02 * expected));
        }
    }

    @Test
    void equalBackendsShareTheTableToWithinASlot() {
        Endpoint[] candidates = new Endpoint[30];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = endpoint(i, "a", 100);
        }
        int[] slots = new int[candidates.length];
        for (int i : MaglevPicker.build(candidates, MaglevPicker.DEFAULT_TABLE_SIZE)) {
            slots[i]++;
        }
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int s : slots) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        assertThat(max - min).isLessThanOrEqualTo(1);
    }

    @Test
    void tableIsTheTextbookOne() {
        Endpoint[] candidates = new Endpoint[13];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = endpoint(i, "a", 50 + 37 * i);
        }
        int m = 10_007;
        assertThat(MaglevPicker.build(candidates, m)).isEqualTo(reference(candidates, m));
    }

    /** Maglev as the paper writes it, with Envoy's weighting and plain "% m": slow but obvious. */
    private static int[] reference(Endpoint[] candidates, int m) {
        int n = candidates.length;
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        long[] target = new long[n];
        int maxWeight = 0;
        for (int i = 0; i < n; i++) {
            long h = MaglevPicker.fnv1a(candidates[i].id());
            offset[i] = Long.remainderUnsigned(VipSelector.mix(h), m);
            skip[i] = Long.remainderUnsigned(VipSelector.mix(h ^ 0x9E3779B97F4A7C15L), m - 1) + 1;
            maxWeight = Math.max(maxWeight, candidates[i].weight());
        }
        int[] table = new int[m];
        java.util.Arrays.fill(table, -1);
        int filled = 0;
        for (long round = 1; filled < m; round++) {
            for (int i = 0; i < n && filled < m; i++) {
                if (round * candidates[i].weight() < target[i]) {
                    continue;
                }
                target[i] += maxWeight;
                int slot;
                do {
                    slot = (int) ((offset[i] + next[i] * skip[i]) % m);
                    next[i]++;
                } while (table[slot] >= 0);
                table[slot] = i;
                filled++;
            }
        }
        return table;
    }

    @Test
    void tableSizeIsPrime() {
        assertThat(BigInteger.valueOf(MaglevPicker.DEFAULT_TABLE_SIZE).isProbablePrime(50)).isTrue();
        assertThat(MaglevPicker.tableSizeFor(3_000)).isEqualTo(65_537);
        int big = MaglevPicker.tableSizeFor(70_000);
        assertThat(big).isGreaterThanOrEqualTo(560_000);
        assertThat(BigInteger.valueOf(big).isProbablePrime(50)).isTrue();
    }
}
