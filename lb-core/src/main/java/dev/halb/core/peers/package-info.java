/**
 * Replicas watching each other: every replica probes every other registered replica's admin
 * {@code /health} and keeps its own view of each peer ({@code serving}, {@code draining},
 * {@code down}), published as immutable {@link dev.halb.core.peers.PeerStates} snapshots. DNS
 * answers and the zone shares follow that view, so a dead replica leaves them after a few failed
 * probes instead of after its ZooKeeper session expires. A replica never judges itself.
 */
package dev.halb.core.peers;
