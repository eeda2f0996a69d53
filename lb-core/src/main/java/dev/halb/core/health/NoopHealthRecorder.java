package dev.halb.core.health;

import dev.halb.discovery.Backend;

enum NoopHealthRecorder implements HealthRecorder {
    INSTANCE;

    @Override
    public void ejected(Backend backend) {
    }

    @Override
    public void ejectionCapped(Backend backend) {
    }
}
