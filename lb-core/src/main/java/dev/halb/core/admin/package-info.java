/**
 * The admin HTTP API (DESIGN section 8) on Netty's HTTP codec: health and readiness for DNS and
 * orchestrators, Prometheus metrics, and JSON views of the replica, its VIPs and backends, with
 * the operator's drain endpoints. It only reads snapshots through {@link dev.halb.core.admin.AdminModel}.
 */
package dev.halb.core.admin;
