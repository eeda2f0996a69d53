/**
 * The composition root. {@link dev.halb.core.replica.Replica} wires discovery, health, selection,
 * listeners, metrics and the admin API together and owns their one-way lifecycle:
 * start, serve, drain, close. {@code VipRuntime} is one VIP's slice of that wiring.
 */
package dev.halb.core.replica;
