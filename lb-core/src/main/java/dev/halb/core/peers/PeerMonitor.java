package dev.halb.core.peers;

import dev.halb.core.config.PeersConfig;
import dev.halb.discovery.zookeeper.ReplicaSet;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.util.function.Consumer;

/**
 * This replica's view of its peers: which registered replicas it probes, and what it found.
 * Listeners get the whole {@link PeerStates} at once on subscribe and after every change of a
 * state, in order, never under a lock.
 */
public interface PeerMonitor extends AutoCloseable {

    /**
     * Starts probing; no peer is probed until {@link #replicasChanged} names some.
     *
     * @param selfId       this replica's id, never probed
     * @param loop         where probes connect and run: not the proxy's event loops
     * @param channelClass the socket channel type of {@code loop}'s transport
     */
    static PeerMonitor start(String selfId, PeersConfig config, EventLoopGroup loop,
                             Class<? extends Channel> channelClass) {
        return new ProbingPeerMonitor(selfId, config, loop.next(), channelClass);
    }

    /** The registered replicas changed: probe every one but this replica; forget those gone. */
    void replicasChanged(ReplicaSet replicas);

    /** The latest states; {@link PeerStates#EMPTY} before the first probe. */
    PeerStates states();

    /** @return closing it stops the calls */
    AutoCloseable subscribe(Consumer<? super PeerStates> listener);

    /** Stops probing. Idempotent. */
    @Override
    void close();
}
