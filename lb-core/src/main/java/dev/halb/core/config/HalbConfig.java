package dev.halb.core.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A whole replica configuration: the root of {@code halb.yaml}. A {@code null} component takes its
 * default, as an absent key does. VIP names are unique, and no two listeners (the VIPs and the
 * admin API) fight over an address.
 */
public record HalbConfig(ReplicaConfig replica, DiscoveryConfig discovery, AdminConfig admin, List<VipConfig> vips,
                         DrainConfig drain, DnsConfig dns, PeersConfig peers, AccessLogConfig accessLog) {

    public HalbConfig {
        replica = Objects.requireNonNullElse(replica, ReplicaConfig.DEFAULT);
        discovery = Objects.requireNonNullElse(discovery, DiscoveryConfig.DEFAULT);
        admin = Objects.requireNonNullElse(admin, AdminConfig.DEFAULT);
        vips = List.copyOf(Objects.requireNonNullElse(vips, List.of()));
        drain = Objects.requireNonNullElse(drain, DrainConfig.DEFAULT);
        dns = Objects.requireNonNullElse(dns, DnsConfig.DEFAULT);
        peers = Objects.requireNonNullElse(peers, PeersConfig.DEFAULT);
        accessLog = Objects.requireNonNullElse(accessLog, AccessLogConfig.DEFAULT);
        checkNamesAndListeners(admin, vips);
    }

    /** A configuration without DNS or access log, and with the default peer probes. */
    public HalbConfig(ReplicaConfig replica, DiscoveryConfig discovery, AdminConfig admin, List<VipConfig> vips,
                      DrainConfig drain) {
        this(replica, discovery, admin, vips, drain, null, null, null);
    }

    /** This configuration with {@code replica} replaced, every other key kept. */
    public HalbConfig withReplica(ReplicaConfig next) {
        return new HalbConfig(next, discovery, admin, vips, drain, dns, peers, accessLog);
    }

    /** This configuration with {@code dns} and {@code peers} replaced. */
    public HalbConfig withDnsAndPeers(DnsConfig dns, PeersConfig peers) {
        return new HalbConfig(replica, discovery, admin, vips, drain, dns, peers, accessLog);
    }

    /** This configuration with another access log. */
    public HalbConfig withAccessLog(AccessLogConfig log) {
        return new HalbConfig(replica, discovery, admin, vips, drain, dns, peers, log);
    }

    /**
     * Whether a replica with this configuration accepts no client at all: no VIPs in it, and no
     * ZooKeeper that could add some at run time. Valid (a replica can be started before its VIPs
     * exist), but worth a warning.
     */
    public boolean servesNothing() {
        return vips.isEmpty() && !discovery.zookeeper().enabled();
    }

    private static void checkNamesAndListeners(AdminConfig admin, List<VipConfig> vips) {
        Map<String, String> pathsByName = new HashMap<>();
        List<String> listenerPaths = new ArrayList<>(List.of("admin.bind"));
        List<BindAddress> listeners = new ArrayList<>(List.of(admin.bind()));
        for (int i = 0; i < vips.size(); i++) {
            VipConfig vip = vips.get(i);
            String path = "vips[" + i + "]";
            String earlier = pathsByName.putIfAbsent(vip.name(), path);
            if (earlier != null) {
                throw InvalidValueException.of(path + ".name", vip.name(),
                        "expected: a name no other VIP has; {} is also named " + vip.name(), earlier);
            }
            for (int j = 0; j < listeners.size(); j++) {
                if (overlaps(listeners.get(j), vip.bind())) {
                    throw InvalidValueException.of(path + ".bind", vip.bind(),
                            "expected: an address no other listener uses; {} is " + listeners.get(j),
                            listenerPaths.get(j));
                }
            }
            listenerPaths.add(path + ".bind");
            listeners.add(vip.bind());
        }
    }

    /**
     * Whether two listeners would fight over a port. A wildcard host overlaps every host on its
     * port: the kernel refuses that bind, or with SO_REUSEPORT would silently split the traffic.
     */
    private static boolean overlaps(BindAddress a, BindAddress b) {
        if (a.port() == 0 || a.port() != b.port()) {
            return false;
        }
        return a.host().equalsIgnoreCase(b.host()) || isWildcard(a.host()) || isWildcard(b.host());
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }
}
