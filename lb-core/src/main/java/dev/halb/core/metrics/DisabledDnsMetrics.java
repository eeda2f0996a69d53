package dev.halb.core.metrics;

enum DisabledDnsMetrics implements DnsMetrics {
    INSTANCE;

    @Override
    public void answered(boolean tcp, int rcode) {
    }

    @Override
    public void truncated() {
    }

    @Override
    public void dropped() {
    }
}
