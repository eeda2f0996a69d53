package dev.halb.core.balance;

enum DisabledZoneRoutingRecorder implements ZoneRoutingRecorder {
    INSTANCE;

    @Override
    public void modeChanged(ZoneRouting.Mode previous, ZoneRouting.Mode current) {
    }

    @Override
    public void spilledOver(String zone) {
    }
}
