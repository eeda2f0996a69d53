package dev.halb.core.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The Dropwizard registry as Prometheus metric families, with halb's own help text and types:
 * a {@link Total} is a counter {@code <base>_total}, another {@link Counter} or a {@link Gauge} a
 * gauge {@code <base>}, a {@link Latency} a summary {@code <base>} in seconds with quantiles,
 * {@code _count} and {@code _sum}. Names carry their labels through {@link MetricName}.
 *
 * <p>Replaces the generic bridge, whose help for every family named the Dropwizard metric's
 * class (a lambda's synthetic name for gauges) and whose summaries had no {@code _sum}.
 */
final class PrometheusExposition extends Collector {

    /** Help for each documented base name; a family without one says that it is undocumented. */
    static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("halb_connections", "Client connections accepted by the VIP, refused ones included."),
            Map.entry("halb_connections_active", "Client connections open now."),
            Map.entry("halb_bytes", "Bytes relayed, by direction: client_to_backend or backend_to_client."),
            Map.entry("halb_connect_failures", "Backend connects refused, reset or timed out."),
            Map.entry("halb_connect_seconds", "Backend connect latency in seconds."),
            Map.entry("halb_no_backend", "Clients closed at once because no backend was a candidate."),
            Map.entry("halb_rejected", "Clients closed before reaching a backend, by reason."),
            Map.entry("halb_zone_connections", "Connections by the zone of the backend they went to."),
            Map.entry("halb_zone_routing_changes", "Times the VIP's zone routing entered a mode."),
            Map.entry("halb_backend_healthy", "1 while the backend passes its health checks and is not ejected, "
                    + "else 0."),
            Map.entry("halb_ejections", "Outlier ejections of a backend after failed connects."),
            Map.entry("halb_ejections_capped", "Ejections refused because maxEjectionPercent of the VIP's backends "
                    + "were ejected already."),
            Map.entry("halb_discovery_rejected", "ZooKeeper nodes skipped as unreadable, and discovered backends "
                    + "rejected by allowedBackendCidrs."),
            Map.entry("halb_discovery_connected", "1 while this replica is connected to ZooKeeper, else 0."),
            Map.entry("halb_dns_queries", "DNS queries answered, by transport (udp, tcp) and response code."),
            Map.entry("halb_dns_truncated", "UDP answers too large for the client, sent empty with TC set."),
            Map.entry("halb_dns_dropped", "DNS messages not answered: too short to carry an id, or not a query."),
            Map.entry("halb_peer_up",
                    "1 while this replica's probes see the peer replica serving, else 0 (draining or down)."),
            Map.entry("halb_config_reloads", "Reloads of the configuration file (SIGHUP), by result: ok, or "
                    + "failed (refused and nothing changed, or applied but a VIP could not bind)."),
            Map.entry("halb_access_log_dropped", "Access log records dropped because the writer fell behind (its "
                    + "queue was full) or the file could not be written."),
            Map.entry("halb_resolve_failures", "Backends left out because their host name did not resolve."));

    private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};
    private static final double SECONDS_PER_NANO = 1.0 / TimeUnit.SECONDS.toNanos(1);

    private final MetricRegistry registry;

    PrometheusExposition(MetricRegistry registry) {
        this.registry = registry;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        Map<String, Family> families = new TreeMap<>();
        registry.getMetrics().forEach((dropwizardName, metric) -> {
            MetricName name = MetricName.decode(dropwizardName);
            Type type = typeOf(metric);
            if (type == null) {
                return;
            }
            String familyName = type == Type.COUNTER ? name.base + "_total" : name.base;
            Family f = families.computeIfAbsent(familyName, n -> new Family(n, type, name.base));
            add(f.samples, name, metric);
        });
        List<MetricFamilySamples> out = new ArrayList<>(families.size());
        for (Family f : families.values()) {
            out.add(new MetricFamilySamples(f.name, f.type, HELP.getOrDefault(f.base, f.base), f.samples));
        }
        return out;
    }

    private static Type typeOf(Metric metric) {
        if (metric instanceof Total) {
            return Type.COUNTER;
        }
        if (metric instanceof Counter || metric instanceof Gauge) {
            return Type.GAUGE;
        }
        if (metric instanceof Latency) {
            return Type.SUMMARY;
        }
        return null;
    }

    private static void add(List<MetricFamilySamples.Sample> samples, MetricName name, Metric metric) {
        if (metric instanceof Total t) {
            samples.add(sample(name.base + "_total", name, t.getCount()));
        } else if (metric instanceof Counter c) {
            samples.add(sample(name.base, name, c.getCount()));
        } else if (metric instanceof Gauge<?> g) {
            Object v = g.getValue();
            if (v instanceof Number n) {
                samples.add(sample(name.base, name, n.doubleValue()));
            } else if (v instanceof Boolean b) {
                samples.add(sample(name.base, name, b ? 1 : 0));
            }
        } else if (metric instanceof Latency t) {
            Snapshot s = t.getSnapshot();
            for (double q : QUANTILES) {
                List<String> names = new ArrayList<>(name.labelNames);
                names.add("quantile");
                List<String> values = new ArrayList<>(name.labelValues);
                values.add(Collector.doubleToGoString(q));
                samples.add(new MetricFamilySamples.Sample(name.base, names, values,
                        s.getValue(q) * SECONDS_PER_NANO));
            }
            samples.add(sample(name.base + "_count", name, t.getCount()));
            samples.add(sample(name.base + "_sum", name, t.sumNanos() * SECONDS_PER_NANO));
        }
    }

    private static MetricFamilySamples.Sample sample(String sampleName, MetricName name, double value) {
        return new MetricFamilySamples.Sample(sampleName, name.labelNames, name.labelValues, value);
    }

    private static final class Family {
        final String name;
        final Type type;
        final String base;
        final List<MetricFamilySamples.Sample> samples = new ArrayList<>();

        Family(String name, Type type, String base) {
            this.name = name;
            this.type = type;
            this.base = base;
        }
    }
}
