/**
 * The admin HTTP API on Netty's HTTP codec: health and readiness for DNS and orchestrators,
 * Prometheus metrics, and JSON views of the replica, its VIPs and backends, with the operator's
 * drain endpoints, and the status page at {@code /} for people. It only reads snapshots through {@link dev.halb.core.admin.AdminModel}.
 * Anyone who reaches the port may be hostile, so it bounds what a client can hold (time per
 * request, idle time, connections) and answers every error as JSON in plain words.
 */
package dev.halb.core.admin;
