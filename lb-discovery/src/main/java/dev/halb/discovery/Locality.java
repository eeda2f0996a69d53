package dev.halb.discovery;

/**
 * Where a backend or replica runs. Empty strings mean "unknown"; a backend with no zone is in
 * no zone and is only chosen through spill-over.
 */
public record Locality(String zone, String region, String rack) {

    /** No zone, region or rack. */
    public static final Locality NONE = new Locality("", "", "");

    public Locality {
        zone = zone == null ? "" : zone.strip();
        region = region == null ? "" : region.strip();
        rack = rack == null ? "" : rack.strip();
    }

    public static Locality ofZone(String zone) {
        return zone == null || zone.isBlank() ? NONE : new Locality(zone, "", "");
    }

    public boolean hasZone() {
        return !zone.isEmpty();
    }
}
