package dev.halb.core.balance;

/**
 * What a {@link VipSelector} publishes through its one {@code volatile}: the picker, the
 * candidates it was built from, and the zone routing that shaped it. Immutable.
 */
final class Selection {

    static final Selection EMPTY = new Selection(Picker.empty(), null, new Endpoint[0], new Picker[0],
            ZoneAffinity.plan(new Endpoint[0], ZoneContext.NONE).routing(), ZoneContext.NONE);

    /** Picks among {@link #candidates} under {@link #routing}. */
    final Picker picker;
    /** The same picker when zone routing is active, so a pick can tell a spill-over; else {@code null}. */
    final ZoneAwarePicker zoned;
    /** All candidates, in id order, whether or not zone routing prefers some of them. */
    final Endpoint[] candidates;
    /** One picker per group of the plan, kept so that the next build can reuse unchanged ones. */
    final Picker[] groupPickers;
    final ZoneRouting routing;
    final ZoneContext zones;

    Selection(Picker picker, ZoneAwarePicker zoned, Endpoint[] candidates, Picker[] groupPickers,
              ZoneRouting routing, ZoneContext zones) {
        this.picker = picker;
        this.zoned = zoned;
        this.candidates = candidates;
        this.groupPickers = groupPickers;
        this.routing = routing;
        this.zones = zones;
    }
}
