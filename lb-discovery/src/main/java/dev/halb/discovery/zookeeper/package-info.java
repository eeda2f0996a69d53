/**
 * ZooKeeper as halb's source of truth, on Apache Curator. This package owns:
 * <ul>
 *   <li>the connection: {@link dev.halb.discovery.zookeeper.ZooKeeperSettings},
 *       {@link dev.halb.discovery.zookeeper.ZooKeeperClients} (retries, digest auth, ACLs) and
 *       {@link dev.halb.discovery.zookeeper.ZooKeeperConnection} with its
 *       {@link dev.halb.discovery.zookeeper.DiscoveryState};</li>
 *   <li>reading backends registered with Curator's x-discovery:
 *       {@link dev.halb.discovery.zookeeper.ZooKeeperBackendSource} and its lenient
 *       {@link dev.halb.discovery.zookeeper.ServiceInstanceCodec};</li>
 *   <li>writing one: {@link dev.halb.discovery.zookeeper.ServiceRegistration} (behind
 *       {@code halb register});</li>
 *   <li>the replica registry ({@link dev.halb.discovery.zookeeper.ReplicaRegistry}) and dynamic
 *       VIP nodes ({@link dev.halb.discovery.zookeeper.VipNodeSource});</li>
 *   <li>{@link dev.halb.discovery.zookeeper.EmbeddedZooKeeper} for {@code connect: embedded}.</li>
 * </ul>
 * Rules kept throughout: foreign bytes are decoded one node at a time, a bad node is skipped,
 * logged once and counted, and nothing is ever thrown into a Curator listener; listeners get
 * whole immutable snapshots, the latest at once on subscribe; losing ZooKeeper never publishes an
 * empty set (static stability). No Netty.
 */
package dev.halb.discovery.zookeeper;
