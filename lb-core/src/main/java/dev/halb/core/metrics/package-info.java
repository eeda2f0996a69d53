/**
 * Metrics: the narrow recorder interfaces the data path calls ({@link dev.halb.core.metrics.VipMetrics}),
 * their Dropwizard implementation ({@link dev.halb.core.metrics.HalbMetrics}) and the Prometheus
 * text exposition of that registry. Recorders are resolved once per VIP at bind time, so the hot
 * path never looks a metric up by name; every recorder has a {@code disabled()} no-op.
 */
package dev.halb.core.metrics;
