/**
 * Which backends may get new connections, as far as their health goes: active health checks
 * ({@code tcp}, {@code http}, {@code none}) and outlier ejection after failed connects, both per
 * VIP in a {@link dev.halb.core.health.HealthMonitor}. Operator drain is the VIP's own business;
 * the VIP combines the two when it publishes candidates.
 *
 * <p>Backends are seen as {@link dev.halb.core.health.HealthTarget}s (id, what discovery said,
 * resolved address): this package depends on discovery only, and selection builds on it.
 *
 * <p>Every check and every decision of a replica runs on one small health event loop group, so
 * hundreds of backends cost no thread each. The data path reports connect outcomes through
 * {@link dev.halb.core.health.ConnectObserver}, the one feedback edge from the proxy back into
 * this layer, declared here so package dependencies keep pointing one way; it only bumps counters
 * and hands ejection decisions to the health event loop.
 */
package dev.halb.core.health;
