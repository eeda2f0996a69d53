package dev.halb.core.health;

import dev.halb.core.balance.Endpoint;

enum NoopConnectObserver implements ConnectObserver {
    INSTANCE;

    @Override
    public void connectSucceeded(Endpoint endpoint) {
    }

    @Override
    public void connectFailed(Endpoint endpoint) {
    }
}
