package dev.halb.core.balance;

/**
 * What a {@link VipSelector} publishes through its one {@code volatile}: the pickers, the
 * candidates they were built from, and the region and zone routing that shaped them. Immutable.
 */
final class Selection {

    private static final Endpoint[] NONE = new Endpoint[0];

    static final Selection EMPTY = new Selection(Picker.empty(), Picker.empty(), null, null, NONE, NONE, NONE, NONE,
            new Picker[0], ZoneAffinity.plan(NONE, ZoneContext.NONE).routing(),
            RegionFailover.plan(NONE, NONE, RegionContext.NONE).routing(), ZoneContext.NONE);

    /** Picks among {@link #candidates} under {@link #regionRouting} and {@link #routing}. */
    final Picker picker;
    /**
     * What a pick uses unless the region draw sent it to the other regions: the picker of the
     * level that takes connections (the local one, or the other regions' when the local has no
     * candidate), zone-aware when {@link #zoned} is set. The same as {@link #picker} when regions
     * are ignored.
     */
    final Picker main;
    /** The region draw when both levels take a share, else {@code null}. */
    final RegionAwarePicker regional;
    /** {@link #main} when zone routing is active, so a pick can tell a spill-over; else {@code null}. */
    final ZoneAwarePicker zoned;
    /** All candidates, in id order, whether or not routing prefers some of them. */
    final Endpoint[] candidates;
    /** The backends that are not drained, candidates among them: the h0 denominator. */
    final Endpoint[] registered;
    /** Retries scan these candidates first (the local level) ... */
    final Endpoint[] scanFirst;
    /** ... then these (the other regions). */
    final Endpoint[] scanThen;
    /** Every picker built (per zone and per level), kept so that the next build can reuse unchanged ones. */
    final Picker[] groupPickers;
    final ZoneRouting routing;
    final RegionRouting regionRouting;
    final ZoneContext zones;

    Selection(Picker picker, Picker main, RegionAwarePicker regional, ZoneAwarePicker zoned, Endpoint[] candidates,
              Endpoint[] registered, Endpoint[] scanFirst, Endpoint[] scanThen, Picker[] groupPickers,
              ZoneRouting routing, RegionRouting regionRouting, ZoneContext zones) {
        this.picker = picker;
        this.main = main;
        this.regional = regional;
        this.zoned = zoned;
        this.candidates = candidates;
        this.registered = registered;
        this.scanFirst = scanFirst;
        this.scanThen = scanThen;
        this.groupPickers = groupPickers;
        this.routing = routing;
        this.regionRouting = regionRouting;
        this.zones = zones;
    }
}
