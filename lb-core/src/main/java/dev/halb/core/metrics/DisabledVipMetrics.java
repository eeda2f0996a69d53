package dev.halb.core.metrics;

import dev.halb.discovery.Backend;

enum DisabledVipMetrics implements VipMetrics {
    INSTANCE;

    @Override
    public void connectionOpened() {
    }

    @Override
    public void connectionClosed() {
    }

    @Override
    public void rejected(Rejection reason) {
    }

    @Override
    public void noBackend() {
    }

    @Override
    public void connectSucceeded(Backend backend, long nanos) {
    }

    @Override
    public void connectFailed(Backend backend) {
    }

    @Override
    public void zoneConnection(String zone) {
    }

    @Override
    public void regionConnection(String region) {
    }

    @Override
    public void bytesClientToBackend(long bytes) {
    }

    @Override
    public void bytesBackendToClient(long bytes) {
    }
}
