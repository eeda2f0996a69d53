package dev.halb.core.replica;

import dev.halb.core.admin.AdminModel;
import dev.halb.core.admin.ReplicaView;
import dev.halb.core.admin.StatusView;
import dev.halb.core.admin.VipView;
import dev.halb.core.metrics.HalbMetrics;
import dev.halb.core.peers.PeerState;
import dev.halb.core.peers.PeerStates;
import dev.halb.core.proxy.DirectMemory;
import dev.halb.discovery.zookeeper.DiscoveryState;
import dev.halb.discovery.zookeeper.ReplicaInfo;
import dev.halb.discovery.zookeeper.ReplicaRegistry;
import dev.halb.discovery.zookeeper.ZooKeeperConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the admin API sees of a replica: its state, VIPs, replicas and metrics, read from the
 * replica's parts; and the one thing it may do, an operator drain of a backend.
 */
final class ReplicaAdmin implements AdminModel {

    private final Replica replica;

    ReplicaAdmin(Replica replica) {
        this.replica = replica;
    }

    @Override
    public boolean draining() {
        return replica.draining();
    }

    /** Only the configuration file's VIPs count for readiness: a dynamic VIP that cannot bind is reported, not fatal. */
    @Override
    public List<String> unboundVips() {
        VipTable t = replica.table();
        if (t == null) {
            return replica.config().vips().stream().map(v -> v.name()).toList();
        }
        return t.unboundFileVips();
    }

    @Override
    public String metrics() {
        return replica.metricsRegistry().scrape();
    }

    @Override
    public String metricsContentType() {
        return HalbMetrics.contentType();
    }

    @Override
    public StatusView status() {
        Instant now = Instant.now();
        long uptime = replica.uptimeSeconds();
        String discovery = "static";
        long since = uptime;
        String connect = "";
        ZooKeeperConnection c = replica.zooKeeper();
        if (c != null) {
            DiscoveryState s = c.state();
            discovery = s.label();
            since = s.age(now).toSeconds();
            connect = c.settings().connect();
        }
        var config = replica.config();
        return new StatusView(replica.id(), config.replica().zone(), config.replica().region(), Version.current(),
                replica.transport().label(), replica.startedAt().toString(), uptime,
                draining() ? "draining" : "serving", discovery, since, connect, replica.lastReload(),
                DirectMemory.usage());
    }

    @Override
    public List<VipView> vips() {
        VipTable t = replica.table();
        return t == null ? List.of() : t.views();
    }

    /**
     * The registry's live replicas, sorted by id; this one is always in (before the first read, or
     * without ZooKeeper). Each with its {@code state} as this replica's probes see it; this
     * replica's own is {@code serving} or {@code draining}.
     */
    @Override
    public List<ReplicaView> replicas() {
        List<ReplicaView> views = new ArrayList<>();
        boolean self = false;
        PeerStates peers = replica.peerStates();
        String selfState = draining() ? PeerState.DRAINING.label() : PeerState.SERVING.label();
        ReplicaRegistry r = replica.registry();
        if (r != null) {
            for (ReplicaInfo info : r.replicas().replicas()) {
                boolean isSelf = info.id().equals(replica.id());
                views.add(view(info, isSelf ? selfState : peers.state(info.id()).label()));
                self |= isSelf;
            }
        }
        if (!self) {
            views.add(view(replica.selfInfo(), selfState));
            views.sort(Comparator.comparing(ReplicaView::id));
        }
        return views;
    }

    private static ReplicaView view(ReplicaInfo info, String state) {
        List<ReplicaView.VipBind> binds = new ArrayList<>();
        for (ReplicaInfo.VipBind b : info.vips()) {
            binds.add(new ReplicaView.VipBind(b.name(), b.bind(), b.address()));
        }
        return new ReplicaView(info.id(), info.zone(), info.region(), info.address(), info.admin(), binds,
                info.startedAt(), state);
    }

    @Override
    public DrainOutcome setDrained(String vip, String backendId, boolean drained) {
        VipRuntime v = replica.vip(vip);
        if (v == null) {
            return DrainOutcome.UNKNOWN_VIP;
        }
        return v.setDrained(backendId, drained) ? DrainOutcome.DONE : DrainOutcome.UNKNOWN_BACKEND;
    }
}
