package dev.halb.discovery.testing;

/**
 * The payload of a service that knows nothing of halb, as in Curator's own examples: a bean of
 * its own with a zone, a weight and something halb does not read.
 */
public class ShopPayload {

    private String zone;
    private int weight;
    private String description;

    public ShopPayload() {
    }

    public ShopPayload(String zone, int weight, String description) {
        this.zone = zone;
        this.weight = weight;
        this.description = description;
    }

    public String getZone() {
        return zone;
    }

    public void setZone(String zone) {
        this.zone = zone;
    }

    public int getWeight() {
        return weight;
    }

    public void setWeight(int weight) {
        this.weight = weight;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }
}
