package dev.halb.core.dns;

import dev.halb.core.config.BindAddress;
import dev.halb.core.peers.PeerStates;
import dev.halb.discovery.zookeeper.ReplicaInfo;
import dev.halb.discovery.zookeeper.ReplicaSet;
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the DNS answers are made of, as one immutable snapshot: the replicas serving now, each
 * with the client address and port of each of its VIPs, and every VIP name known (a known VIP
 * that no replica serves answers NODATA, an unknown one NXDOMAIN).
 *
 * @param selfId   this replica's id, named by the SOA
 * @param selfZone this replica's zone: its replicas come first; "" = no preference
 * @param serving  the serving replicas, sorted by id
 * @param vipNames every VIP name known, lower case
 * @param serial   the SOA serial
 */
public record DnsView(String selfId, String selfZone, List<Replica> serving, Set<String> vipNames, long serial) {

    /** A serving replica: its id (lower case), zone, and where clients reach each of its VIPs. */
    public record Replica(String id, String zone, Map<String, Endpoint> vips) {
        public Replica {
            vips = Map.copyOf(vips);
        }
    }

    /** A VIP's client address (4 or 16 bytes) and port on one replica. */
    public record Endpoint(byte[] address, int port) {
        public Endpoint {
            address = address.clone();
        }

        boolean ipv4() {
            return address.length == 4;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Endpoint e && e.port == port && java.util.Arrays.equals(e.address, address);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Arrays.hashCode(address) + port;
        }

        @Override
        public String toString() {
            return NetUtil.bytesToIpAddress(address) + ":" + port;
        }
    }

    public DnsView {
        serving = serving.stream().sorted(Comparator.comparing(Replica::id)).toList();
        vipNames = Set.copyOf(vipNames);
    }

    /**
     * The view from the registry and this replica's probes: a registered replica serves a VIP
     * when its node lists the VIP with an address, and its peer state is serving. This replica
     * needs no probe: it is in while it is not draining, registered or not, so that a replica cut
     * off from ZooKeeper and from every peer still answers with itself.
     *
     * @param registered   the replicas in the registry (may lack this one)
     * @param self         this replica's node as it would write it now
     * @param selfServing  whether this replica takes new clients (false while draining)
     * @param extraVips    VIP names configured here but not bound (they answer NODATA)
     */
    public static DnsView of(ReplicaSet registered, ReplicaInfo self, boolean selfServing, PeerStates peers,
                             Set<String> extraVips, long serial) {
        List<Replica> serving = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        extraVips.forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
        self.vips().forEach(v -> names.add(v.name().toLowerCase(Locale.ROOT)));
        if (selfServing) {
            serving.add(replica(self));
        }
        for (ReplicaInfo r : registered.replicas()) {
            r.vips().forEach(v -> names.add(v.name().toLowerCase(Locale.ROOT)));
            if (!r.id().equals(self.id()) && peers.serving(r.id())) {
                serving.add(replica(r));
            }
        }
        return new DnsView(self.id().toLowerCase(Locale.ROOT), self.zone(), serving, names, serial);
    }

    private static Replica replica(ReplicaInfo r) {
        Map<String, Endpoint> vips = new TreeMap<>();
        for (ReplicaInfo.VipBind v : r.vips()) {
            byte[] address = NetUtil.createByteArrayFromIpAddressString(v.address());
            if (address == null) {
                continue; // an older node without addresses, or a host name: nothing to answer with
            }
            int port;
            try {
                port = BindAddress.parse(v.bind()).port();
            } catch (IllegalArgumentException e) {
                continue;
            }
            vips.put(v.name().toLowerCase(Locale.ROOT), new Endpoint(address, port));
        }
        return new Replica(r.id().toLowerCase(Locale.ROOT), r.zone(), vips);
    }

    /** The replica with this (lower case) id among the serving, or {@code null}. */
    Replica servingReplica(String id) {
        for (Replica r : serving) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        return null;
    }
}
