package dev.halb.core.peers;

import dev.halb.core.config.BindAddress;
import dev.halb.core.config.PeersConfig;
import dev.halb.discovery.SnapshotPublisher;
import dev.halb.discovery.zookeeper.ReplicaInfo;
import dev.halb.discovery.zookeeper.ReplicaSet;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every registered peer's admin {@code /health} each {@code probeIntervalMs}, at most one
 * probe per peer in flight, and publishes the states on change.
 *
 * <p>Everything runs on one event loop: the tick, the probes and their outcomes, and the
 * registry's changes (handed over from the Curator thread), so the peer table needs no lock. A
 * peer registered anew is probed at once and counts as serving until a probe says otherwise
 * (it registered only after binding its VIPs and admin API). A peer whose admin API binds a
 * wildcard host is probed at the address its node gives.
 */
final class ProbingPeerMonitor implements PeerMonitor {

    private static final Logger log = LoggerFactory.getLogger(ProbingPeerMonitor.class);

    private final String selfId;
    private final PeersConfig config;
    private final EventLoop loop;
    private final Bootstrap template;
    private final SnapshotPublisher<PeerStates> published = new SnapshotPublisher<>("peer states", PeerStates.EMPTY);
    /** Replica id to its probe state; event loop only. */
    private final Map<String, Peer> peers = new HashMap<>();
    private final ScheduledFuture<?> ticks;
    private volatile boolean closed;

    /** One peer being probed; event loop only. */
    private static final class Peer {
        InetSocketAddress target;
        final PeerTracker tracker;
        boolean inFlight;
        boolean gone;

        Peer(InetSocketAddress target, int threshold) {
            this.target = target;
            this.tracker = new PeerTracker(threshold);
        }
    }

    ProbingPeerMonitor(String selfId, PeersConfig config, EventLoop loop, Class<? extends Channel> channelClass) {
        this.selfId = selfId;
        this.config = config;
        this.loop = loop;
        this.template = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.timeoutMs()))
                .option(ChannelOption.TCP_NODELAY, true);
        this.ticks = loop.scheduleAtFixedRate(this::tick, config.probeIntervalMs(), config.probeIntervalMs(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Works out the targets on the caller's thread (a host name in a node is resolved there,
     * never on the probe loop), then hands them to the loop.
     */
    @Override
    public void replicasChanged(ReplicaSet replicas) {
        if (closed) {
            return;
        }
        Map<String, InetSocketAddress> wanted = new HashMap<>();
        for (ReplicaInfo r : replicas.replicas()) {
            if (r.id().equals(selfId)) {
                continue; // a replica never judges itself
            }
            InetSocketAddress target = adminTarget(r);
            if (target != null) {
                wanted.put(r.id(), target);
            }
        }
        loop.execute(() -> apply(wanted));
    }

    private void apply(Map<String, InetSocketAddress> wanted) {
        if (closed) {
            return;
        }
        boolean changed = false;
        for (Iterator<Map.Entry<String, Peer>> it = peers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Peer> e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().gone = true;
                it.remove();
                changed = true;
            }
        }
        for (Map.Entry<String, InetSocketAddress> e : wanted.entrySet()) {
            Peer p = peers.get(e.getKey());
            if (p == null) {
                p = new Peer(e.getValue(), config.unhealthyThreshold());
                peers.put(e.getKey(), p);
                changed = true;
                probe(e.getKey(), p);
            } else {
                p.target = e.getValue();
            }
        }
        if (changed) {
            publish();
        }
    }

    /** Where a replica's admin API answers: its bind, with the node's address for a wildcard host. */
    static InetSocketAddress adminTarget(ReplicaInfo r) {
        BindAddress admin;
        try {
            admin = BindAddress.parse(r.admin());
        } catch (IllegalArgumentException e) {
            log.debug("replica {}: admin '{}' is not host:port; not probed", r.id(), r.admin());
            return null;
        }
        String host = admin.host();
        if (isWildcard(host)) {
            host = r.address().isEmpty() ? "127.0.0.1" : r.address();
        }
        InetSocketAddress target = new InetSocketAddress(host, admin.port());
        if (target.isUnresolved()) {
            log.debug("replica {}: admin host '{}' does not resolve; not probed", r.id(), host);
            return null;
        }
        return target;
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    private void tick() {
        if (closed) {
            return;
        }
        for (Map.Entry<String, Peer> e : peers.entrySet()) {
            if (!e.getValue().inFlight) {
                probe(e.getKey(), e.getValue());
            }
        }
    }

    private void probe(String id, Peer peer) {
        peer.inFlight = true;
        HealthProbe.start(template, peer.target, config.timeoutMs(), (outcome, detail) -> {
            peer.inFlight = false;
            if (closed || peer.gone) {
                return;
            }
            PeerState before = peer.tracker.state();
            PeerState after = peer.tracker.record(outcome);
            if (after != before) {
                if (after == PeerState.SERVING) {
                    log.info("peer {} at {} is serving again", id, peer.target);
                } else {
                    log.warn("peer {} at {} is {}: {}", id, peer.target, after.label(), detail);
                }
                publish();
            } else if (outcome == PeerTracker.Outcome.FAIL && after != PeerState.DOWN) {
                log.debug("peer {} probe failed ({} of {}): {}", id, peer.tracker.failures(),
                        config.unhealthyThreshold(), detail);
            }
        });
    }

    private void publish() {
        Map<String, PeerState> states = new HashMap<>();
        peers.forEach((id, p) -> states.put(id, p.tracker.state()));
        published.publish(new PeerStates(states));
    }

    @Override
    public PeerStates states() {
        return published.latest();
    }

    @Override
    public AutoCloseable subscribe(Consumer<? super PeerStates> listener) {
        return published.subscribe(listener);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ticks.cancel(false);
    }
}
