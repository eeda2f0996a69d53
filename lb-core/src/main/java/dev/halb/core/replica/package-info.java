/**
 * The composition root. {@link dev.halb.core.replica.Replica} wires discovery (static backends and
 * ZooKeeper, or an embedded ZooKeeper), health, selection, listeners, metrics, the admin API and
 * the replica registry together and owns their one-way lifecycle: start, serve, drain, close.
 * {@code VipRuntime} is one VIP's slice of that wiring (endpoints, health, selector, listener);
 * {@code DynamicVips} binds, rebinds and unbinds the VIPs defined in ZooKeeper at run time;
 * {@code HostResolver} resolves backend host names off the data path, behind the
 * {@link dev.halb.core.replica.HostLookup} seam.
 */
package dev.halb.core.replica;
