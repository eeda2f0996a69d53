package dev.halb.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.balance.Endpoint;
import dev.halb.core.config.Cidr;
import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import dev.halb.discovery.BackendOrigin;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MembershipTest {

    private static Backend discovered(String id, String address, int port) {
        return new Backend(id, address, port, Locality.ofZone("a"), 100, BackendOrigin.ZOOKEEPER, true);
    }

    private static Backend ownStatic(String address, int port) {
        return Backend.ofStatic(address, port, Locality.NONE, 100);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Nested
    class Merge {

        @Test
        void theVipsOwnStaticBackendWinsOverADiscoveredOneWithTheSameIdAndTheResultIsSortedById() {
            Backend mine = ownStatic("127.0.0.1", 9000);
            Backend same = discovered(mine.id(), "127.0.0.9", 9000);
            Backend other = discovered("0-first", "127.0.0.2", 9001);
            assertThat(Membership.merge(List.of(mine), List.of(same, other))).containsExactly(other, mine);
        }

        @Test
        void duplicatesWithinOneListCountOnce() {
            Backend a = discovered("x", "127.0.0.1", 1);
            Backend b = discovered("x", "127.0.0.2", 2);
            assertThat(Membership.merge(List.of(), List.of(a, b))).containsExactly(a);
        }
    }

    @Nested
    class Resolve {

        @Test
        void literalsAreNotLookedUpNamesWaitOrAreLeftOut() {
            Backend literal = discovered("l", "127.0.0.1", 1);
            Backend known = discovered("k", "db.internal", 2);
            Backend waiting = discovered("w", "new.internal", 3);
            Backend missing = discovered("m", "gone.internal", 4);
            Map<String, Optional<InetAddress>> names = new HashMap<>();
            names.put("db.internal", Optional.of(ip("127.0.0.7")));
            names.put("gone.internal", Optional.empty());
            Membership.Resolution r = Membership.resolve(List.of(literal, known, waiting, missing), host -> {
                assertThat(host).as("an IP literal is never looked up").isNotEqualTo("127.0.0.1");
                return names.get(host); // null for new.internal: its lookup is under way
            });
            assertThat(r.resolved()).containsExactly(
                    new Membership.Resolved(literal, new InetSocketAddress(ip("127.0.0.1"), 1)),
                    new Membership.Resolved(known, new InetSocketAddress(ip("127.0.0.7"), 2)));
            assertThat(r.pending()).isEqualTo(1);
            assertThat(r.unresolvable()).containsExactly(missing);
            assertThat(r.hostNames()).containsExactlyInAnyOrder("db.internal", "new.internal", "gone.internal");
        }

        @Test
        void ipv6LiteralsAreLiterals() {
            Membership.Resolution r = Membership.resolve(List.of(discovered("v6", "::1", 5)), host -> {
                throw new AssertionError("looked up " + host);
            });
            assertThat(r.resolved()).hasSize(1);
        }
    }

    @Nested
    class Filter {

        private final List<Cidr> tenNet = List.of(Cidr.parse("10.0.0.0/8"));

        @Test
        void discoveredBackendsOutsideTheAllowedNetworksAreRefused() {
            Backend inside = discovered("in", "10.1.2.3", 1);
            Backend outside = discovered("out", "192.168.1.1", 1);
            assertThat(Membership.allowed(resolved(inside), tenNet)).isTrue();
            assertThat(Membership.allowed(resolved(outside), tenNet)).isFalse();
        }

        @Test
        void staticBackendsAreTrustedAndNoCidrsAllowAll() {
            assertThat(Membership.allowed(resolved(ownStatic("192.168.1.1", 1)), tenNet)).isTrue();
            assertThat(Membership.allowed(resolved(discovered("out", "192.168.1.1", 1)), List.of())).isTrue();
        }

        private Membership.Resolved resolved(Backend b) {
            return new Membership.Resolved(b, new InetSocketAddress(ip(b.address()), b.port()));
        }
    }

    @Nested
    class Endpoints {

        @Test
        void anUnchangedBackendKeepsItsEndpointAndAChangedOneKeepsItsConnectionCount() {
            Backend a = discovered("a", "127.0.0.1", 1);
            Backend b = discovered("b", "127.0.0.1", 2);
            InetSocketAddress aAddress = new InetSocketAddress(ip("127.0.0.1"), 1);
            InetSocketAddress bAddress = new InetSocketAddress(ip("127.0.0.1"), 2);
            Map<String, Endpoint> first = Membership.endpoints(List.of(
                    new Membership.Resolved(a, aAddress), new Membership.Resolved(b, bAddress)), Map.of());
            first.get("b").connectionOpened();

            Backend heavierB = new Backend("b", "127.0.0.1", 2, Locality.ofZone("a"), 300, BackendOrigin.ZOOKEEPER, true);
            Map<String, Endpoint> second = Membership.endpoints(List.of(
                    new Membership.Resolved(a, aAddress), new Membership.Resolved(heavierB, bAddress)), first);
            assertThat(second.get("a")).isSameAs(first.get("a"));
            assertThat(second.get("b")).isNotSameAs(first.get("b"));
            assertThat(second.get("b").weight()).isEqualTo(300);
            assertThat(second.get("b").activeConnections()).as("open connections stay counted").isEqualTo(1);
            assertThat(Membership.sameEndpoints(first, second)).isFalse();
            assertThat(Membership.sameEndpoints(second, Membership.endpoints(List.of(
                    new Membership.Resolved(a, aAddress), new Membership.Resolved(heavierB, bAddress)), second)))
                    .isTrue();
        }
    }

    @Nested
    class Candidates {

        @Test
        void enabledNotDrainedAndHealthy() {
            Backend up = discovered("up", "127.0.0.1", 1);
            Backend disabled = new Backend("off", "127.0.0.1", 2, Locality.NONE, 100, BackendOrigin.ZOOKEEPER, false);
            Backend drained = discovered("drained", "127.0.0.1", 3);
            Backend sick = discovered("sick", "127.0.0.1", 4);
            List<Endpoint> all = List.of(up, disabled, drained, sick).stream()
                    .map(b -> new Endpoint(b, new InetSocketAddress(ip("127.0.0.1"), b.port()))).toList();
            assertThat(Membership.candidates(all, Set.of("drained"), id -> !id.equals("sick")))
                    .extracting(Endpoint::id).containsExactly("up");
        }
    }
}
