/**
 * Choosing a backend for a new client connection. A
 * {@link dev.halb.core.balance.VipSelector} is fed the VIP's candidates (and the backends that are
 * not drained), a {@link dev.halb.core.balance.ZoneContext} (this replica's zone, the VIP's zone
 * affinity settings, live replicas per zone) and, once, a
 * {@link dev.halb.core.balance.RegionContext} (this replica's region, the VIP's region failover
 * settings). Off the hot path it plans the region split (the local region takes
 * {@code min(1, factor * h0)} of connections, Envoy's priority levels, see {@code RegionFailover}),
 * the zone split inside the local region (Envoy's proportional zone-aware rule, see
 * {@code ZoneAffinity}), builds one {@link dev.halb.core.balance.Picker} of the VIP's strategy
 * per zone and one for the other regions (p2c, smooth weighted round robin, least connections per
 * weight, weighted random, Maglev), and publishes them through one {@code volatile}, so a pick is
 * a field read plus arithmetic: no lock, no allocation.
 * {@link dev.halb.core.balance.ZoneRouting} and {@link dev.halb.core.balance.RegionRouting} tell
 * the admin view how connections are split and why routing is off when it is;
 * {@link dev.halb.core.balance.ZoneRoutingRecorder} and
 * {@link dev.halb.core.balance.RegionRoutingRecorder} report mode changes (and zone spill-overs) to
 * metrics. {@link dev.halb.core.balance.Endpoint} is a backend with its live connection count.
 * This package knows nothing of health checking or the replica registry: it is told which
 * endpoints are candidates and how many replicas each zone has.
 */
package dev.halb.core.balance;
