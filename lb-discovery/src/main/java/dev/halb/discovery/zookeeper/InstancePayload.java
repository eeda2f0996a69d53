package dev.halb.discovery.zookeeper;

/**
 * The payload halb writes into a Curator {@code ServiceInstance}. Curator's
 * serializer adds {@code "@class"}; readers need not know this class: {@link ServiceInstanceCodec}
 * reads any payload with these keys.
 *
 * @param zone   "" = no zone
 * @param region "" = none
 * @param rack   "" = none
 * @param weight 1-10000
 */
public record InstancePayload(String zone, String region, String rack, int weight) {

    public InstancePayload {
        zone = zone == null ? "" : zone;
        region = region == null ? "" : region;
        rack = rack == null ? "" : rack;
    }
}
