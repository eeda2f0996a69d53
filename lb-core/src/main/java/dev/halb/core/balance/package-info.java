/**
 * Choosing a backend for a new client connection. A
 * {@link dev.halb.core.balance.VipSelector} is fed the VIP's candidates and a
 * {@link dev.halb.core.balance.ZoneContext} (this replica's zone, the VIP's zone affinity
 * settings, live replicas per zone); off the hot path it plans the zone split (Envoy's
 * proportional zone-aware rule, see {@code ZoneAffinity}), builds one
 * {@link dev.halb.core.balance.Picker} of the VIP's strategy per zone (p2c, smooth weighted
 * round robin, least connections per weight, weighted random, Maglev), and publishes them through
 * one {@code volatile}, so a pick is a field read plus arithmetic: no lock, no allocation.
 * {@link dev.halb.core.balance.ZoneRouting} tells the admin view how connections are split and why
 * zone routing is off when it is; {@link dev.halb.core.balance.ZoneRoutingRecorder} reports mode
 * changes and spill-overs to metrics. {@link dev.halb.core.balance.Endpoint} is a backend with its
 * live connection count. This package knows nothing of health checking or the replica registry:
 * it is told which endpoints are candidates and how many replicas each zone has.
 */
package dev.halb.core.balance;
