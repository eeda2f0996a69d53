package dev.halb.core.membership;

import dev.halb.core.balance.Endpoint;
import dev.halb.core.config.Cidr;
import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendOrigin;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/*
 * A VIP's membership, step by step. Each step is a pure function of its inputs:
 *
 *   merge       the VIP's own static backends, then the catalog's for its service; one per id,
 *               the VIP's own first (an operator's entry beats a discovered one), sorted by id;
 *   resolve     IP literals as they are; host names through a lookup that answers present,
 *               empty (does not resolve) or null (first lookup under way: the backend waits);
 *   filter      a discovered backend whose address lies outside allowedBackendCidrs is left out;
 *               static backends come from the operator and are trusted;
 *   endpoints   an endpoint per backend, the previous one reused when nothing about it changed,
 *               its live connection counter carried over when only its attributes did;
 *   candidates  enabled by its source, not drained by an operator, and healthy and not ejected.
 */
public final class Membership {

    private Membership() {
    }

    /** Step 1: one backend per id, the VIP's own static ones first, sorted by id. */
    public static List<Backend> merge(List<Backend> own, List<Backend> discovered) {
        Map<String, Backend> byId = new TreeMap<>();
        for (Backend b : own) {
            byId.putIfAbsent(b.id(), b);
        }
        for (Backend b : discovered) {
            byId.putIfAbsent(b.id(), b);
        }
        return List.copyOf(byId.values());
    }

    /** A backend with the address its connections go to. */
    public record Resolved(Backend backend, InetSocketAddress address) {
    }

    /**
     * What resolving a merged list gave.
     *
     * @param resolved     backends with an address, in input order
     * @param pending      backends whose host name's first lookup is under way
     * @param unresolvable backends whose host name does not resolve
     * @param hostNames    every host name asked about (to keep them refreshed)
     */
    public record Resolution(List<Resolved> resolved, int pending, List<Backend> unresolvable, Set<String> hostNames) {

        public Resolution {
            resolved = List.copyOf(resolved);
            unresolvable = List.copyOf(unresolvable);
            hostNames = Set.copyOf(hostNames);
        }
    }

    /**
     * Step 2: resolves host names.
     *
     * @param lookup a host name's address: present, empty when it does not resolve, {@code null}
     *               while its first lookup is under way; never asked about IP literals
     */
    public static Resolution resolve(List<Backend> backends, Function<String, Optional<InetAddress>> lookup) {
        List<Resolved> resolved = new ArrayList<>(backends.size());
        List<Backend> unresolvable = new ArrayList<>();
        Set<String> hostNames = new TreeSet<>();
        int pending = 0;
        for (Backend b : backends) {
            InetAddress address;
            if (isIpLiteral(b.address())) {
                address = literal(b.address());
            } else {
                hostNames.add(b.address());
                Optional<InetAddress> found = lookup.apply(b.address());
                if (found == null) {
                    pending++;
                    continue;
                }
                if (found.isEmpty()) {
                    unresolvable.add(b);
                    continue;
                }
                address = found.get();
            }
            resolved.add(new Resolved(b, new InetSocketAddress(address, b.port())));
        }
        return new Resolution(resolved, pending, unresolvable, hostNames);
    }

    /**
     * The address of an IP literal, carrying the literal as its host name: the transports ask a
     * connected socket's address for its host string, which an address without a name formats
     * anew, in a fresh string, on every backend connect.
     */
    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByAddress(ip, NetUtil.createByteArrayFromIpAddressString(ip));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }

    public static boolean isIpLiteral(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    /** Step 3: whether a backend may be used: static ones always, discovered ones inside {@code cidrs} (none = all). */
    public static boolean allowed(Resolved r, List<Cidr> cidrs) {
        if (cidrs.isEmpty() || r.backend().origin() != BackendOrigin.ZOOKEEPER) {
            return true;
        }
        InetAddress a = r.address().getAddress();
        for (Cidr cidr : cidrs) {
            if (cidr.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Step 4: an endpoint per backend, by id. The previous endpoint is kept as it is when neither
     * its backend nor its address changed, and its live counter carried to a new endpoint when
     * they did, so open connections stay counted against it.
     */
    public static Map<String, Endpoint> endpoints(List<Resolved> resolved, Map<String, Endpoint> previous) {
        Map<String, Endpoint> next = new TreeMap<>();
        for (Resolved r : resolved) {
            Backend b = r.backend();
            Endpoint old = previous.get(b.id());
            if (old != null && old.backend().equals(b) && old.address().equals(r.address())) {
                next.put(b.id(), old);
            } else {
                next.put(b.id(), old == null ? new Endpoint(b, r.address()) : old.withBackend(b, r.address()));
            }
        }
        return next;
    }

    /** Whether two endpoint maps hold the very same endpoints (nothing to republish). */
    public static boolean sameEndpoints(Map<String, Endpoint> a, Map<String, Endpoint> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, Endpoint> e : a.entrySet()) {
            if (b.get(e.getKey()) != e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Step 5: enabled by its source, not drained by an operator, and {@code healthy} (checks passed, not ejected). */
    public static List<Endpoint> candidates(Collection<Endpoint> endpoints, Set<String> drained,
                                            Predicate<String> healthy) {
        List<Endpoint> out = new ArrayList<>(endpoints.size());
        for (Endpoint e : endpoints) {
            if (e.backend().enabled() && !drained.contains(e.id()) && healthy.test(e.id())) {
                out.add(e);
            }
        }
        return out;
    }
}
