package dev.halb.core.balance;

enum DisabledRegionRoutingRecorder implements RegionRoutingRecorder {
    INSTANCE;

    @Override
    public void modeChanged(RegionRouting.Mode previous, RegionRouting.Mode current) {
    }
}
