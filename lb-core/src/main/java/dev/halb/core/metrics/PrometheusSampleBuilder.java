package dev.halb.core.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.dropwizard.samplebuilder.SampleBuilder;
import java.util.ArrayList;
import java.util.List;

/** Turns our encoded Dropwizard names ({@link MetricName}) into Prometheus samples with labels. */
final class PrometheusSampleBuilder implements SampleBuilder {

    @Override
    public Collector.MetricFamilySamples.Sample createSample(String dropwizardName, String nameSuffix,
                                                             List<String> additionalLabelNames,
                                                             List<String> additionalLabelValues, double value) {
        MetricName name = MetricName.decode(dropwizardName);
        List<String> names = name.labelNames;
        List<String> values = name.labelValues;
        if (!additionalLabelNames.isEmpty()) {
            names = new ArrayList<>(names);
            names.addAll(additionalLabelNames);
            values = new ArrayList<>(values);
            values.addAll(additionalLabelValues);
        }
        String suffix = nameSuffix == null ? "" : nameSuffix;
        return new Collector.MetricFamilySamples.Sample(name.base + suffix, names, values, value);
    }
}
