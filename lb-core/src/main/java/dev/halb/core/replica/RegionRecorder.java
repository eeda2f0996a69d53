package dev.halb.core.replica;

import dev.halb.core.balance.RegionRouting;
import dev.halb.core.balance.RegionRoutingRecorder;
import dev.halb.core.metrics.HalbMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Region routing changes of one VIP into the log and
 * {@code halb_region_routing_changes_total{vip,mode}}, the way zone routing fallbacks are counted.
 */
final class RegionRecorder implements RegionRoutingRecorder {

    private static final Logger log = LoggerFactory.getLogger(RegionRecorder.class);

    private final HalbMetrics metrics;
    private final String vip;

    RegionRecorder(HalbMetrics metrics, String vip) {
        this.metrics = metrics;
        this.vip = vip;
    }

    @Override
    public void modeChanged(RegionRouting.Mode previous, RegionRouting.Mode current) {
        log.info("VIP {}: region routing {} ({})", vip, current.label(), current.reason());
        metrics.regionRoutingChanged(vip, current.label());
    }
}
