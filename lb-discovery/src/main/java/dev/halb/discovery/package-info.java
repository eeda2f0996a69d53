/**
 * Where backends are. This package owns the catalog model ({@link dev.halb.discovery.Backend},
 * {@link dev.halb.discovery.BackendSet}, {@link dev.halb.discovery.Locality}), the
 * {@link dev.halb.discovery.BackendSource} seam with its static implementation, and the
 * {@link dev.halb.discovery.Catalog} that merges sources per service and publishes immutable
 * snapshots. Nothing here knows about Netty or sockets.
 */
package dev.halb.discovery;
