package dev.halb.core.health;


enum NoopConnectObserver implements ConnectObserver {
    INSTANCE;

    @Override
    public void connectSucceeded(HealthTarget endpoint) {
    }

    @Override
    public void connectFailed(HealthTarget endpoint) {
    }
}
