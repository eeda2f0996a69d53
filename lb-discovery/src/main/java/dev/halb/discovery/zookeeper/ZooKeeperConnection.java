package dev.halb.discovery.zookeeper;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;

/**
 * One started Curator client with halb's settings, and the connection state a replica reports.
 * Made by {@link ZooKeeperClients#connect}; everything else in this package runs on one.
 *
 * <p>The client reconnects by itself for as long as it is open: a lost session is replaced by a
 * new one when a server answers again, whatever the retry policy says about single operations.
 * Closing the connection closes the client; close the recipes that use it first.
 */
public interface ZooKeeperConnection extends AutoCloseable {

    ZooKeeperSettings settings();

    /** The started client, for recipes. Not to be closed by users: {@link #close()} does that. */
    CuratorFramework curator();

    /** The state now. */
    DiscoveryState state();

    /**
     * Calls {@code listener} with the current state at once (before this method returns or soon
     * after, on the calling thread or Curator's), then on every change, one call at a time and in
     * order. A listener that throws is logged and still called next time.
     *
     * @return closing it stops the calls
     */
    AutoCloseable subscribe(Consumer<? super DiscoveryState> listener);

    /** Waits up to {@code timeout} for a live connection; {@code true} once connected. */
    boolean awaitConnected(Duration timeout) throws InterruptedException;

    /** Closes the client; ephemeral nodes it created go at once. Idempotent. */
    @Override
    void close();
}
