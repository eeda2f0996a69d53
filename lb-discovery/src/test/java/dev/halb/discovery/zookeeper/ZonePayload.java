package dev.halb.discovery.zookeeper;

/** A minimal payload bean of a service that is not halb: only a zone. */
public class ZonePayload {

    private String zone;

    public ZonePayload() {
    }

    public ZonePayload(String zone) {
        this.zone = zone;
    }

    public String getZone() {
        return zone;
    }

    public void setZone(String zone) {
        this.zone = zone;
    }
}
