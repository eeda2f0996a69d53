package dev.halb.discovery.zookeeper;

import static dev.halb.discovery.zookeeper.NodeJson.integral;
import static dev.halb.discovery.zookeeper.NodeJson.isAbsent;
import static dev.halb.discovery.zookeeper.NodeJson.shorten;
import static dev.halb.discovery.zookeeper.NodeJson.show;
import static dev.halb.discovery.zookeeper.NodeJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import dev.halb.discovery.BackendOrigin;
import dev.halb.discovery.zookeeper.NodeJson.Bad;
import java.util.Objects;

/**
 * Reads one Curator x-discovery {@code ServiceInstance} node, as {@code ServiceDiscovery} writes
 * it with its {@code JsonInstanceSerializer}, into a {@link Backend}, leniently: foreign bytes are
 * decoded at the edge, one node at a time. Never throws on bad input: the result is a backend or
 * a reason to skip the node.
 *
 * <h2>What is read</h2>
 * <ul>
 *   <li>{@code id}: the backend's id. Curator names the node after it; a node whose {@code id}
 *       differs from its name is rejected (it was not written by {@code ServiceDiscovery}, and its
 *       identity would be ambiguous). Missing: the node name.</li>
 *   <li>{@code address}: required, a host name or IP literal.</li>
 *   <li>{@code port}, 1-65535. When {@code port} is missing or null, {@code sslPort} is used: an
 *       instance that offers only TLS is balanced at layer 4 as it is. Numbers written as text are
 *       accepted.</li>
 *   <li>{@code enabled}: {@code false} means drained ({@link Backend#enabled()}); missing = true.
 *       (Curator writes it only when its serializer is not in compatible mode.)</li>
 *   <li>{@code payload}: a JSON object with or without Jackson's {@code @class}, the
 *       {@code [class, value]} wrapper Jackson uses for non-object payloads, or null. Its
 *       {@code zone}, {@code region}, {@code rack} and {@code weight} are used; where one is
 *       missing, the same key of a {@code metadata} object inside it is (Spring Cloud Zookeeper's
 *       layout). A payload that is not an object is ignored: no zone, weight 100.</li>
 *   <li>{@code weight}: an integer 1-10000 (text digits too); missing = 100. Anything else (0,
 *       negative, too large, not a number) rejects the node rather than being clamped: a weight
 *       was asked for that cannot be honoured, so the node is skipped, logged and counted like
 *       every other unreadable value, the same rule as configuration.</li>
 *   <li>{@code name}, {@code registrationTimeUTC}, {@code serviceType}, {@code uriSpec} and
 *       unknown keys are ignored; the node's parent names the service.</li>
 * </ul>
 * Bodies larger than {@value #MAX_BYTES} bytes are rejected without being parsed.
 */
public final class ServiceInstanceCodec {

    /** Larger bodies are rejected unread: a registration is a few hundred bytes. */
    public static final int MAX_BYTES = NodeJson.MAX_BYTES;

    private static final int MAX_ADDRESS_LENGTH = 255;

    private ServiceInstanceCodec() {
    }

    /** What {@link #decode} made of a node. */
    public sealed interface Result permits Accepted, Rejected {
    }

    /** The node is a usable backend. */
    public record Accepted(Backend backend) implements Result {
        public Accepted {
            Objects.requireNonNull(backend, "backend");
        }
    }

    /** The node is skipped; {@code reason} names the value and what was expected. */
    public record Rejected(String reason) implements Result {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * @param nodeName the instance node's name (Curator's instance id)
     * @param data     the node's body, possibly {@code null}
     */
    public static Result decode(String nodeName, byte[] data) {
        Objects.requireNonNull(nodeName, "nodeName");
        try {
            return new Accepted(backend(nodeName, NodeJson.readObject(data, "a Curator ServiceInstance")));
        } catch (Bad e) {
            return new Rejected(e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Rejected(e.getMessage()); // Backend's own checks; the ones here should come first
        }
    }

    private static Backend backend(String nodeName, JsonNode root) throws Bad {
        String id = text(root, "id", "id");
        if (!id.isEmpty() && !id.equals(nodeName)) {
            throw new Bad("id: '" + shorten(id) + "' (expected: the node name '" + nodeName
                    + "', as ServiceDiscovery writes it)");
        }
        String address = text(root, "address", "address").strip();
        if (address.isEmpty()) {
            throw new Bad("address: " + show(root.get("address")) + " (expected: a host name or IP address)");
        }
        if (address.length() > MAX_ADDRESS_LENGTH || address.chars().anyMatch(Character::isWhitespace)) {
            throw new Bad("address: '" + shorten(address) + "' (expected: a host name or IP address)");
        }
        int port = port(root);
        JsonNode payload = payload(root.get("payload"));
        JsonNode metadata = payload == null ? null : payload.get("metadata");
        if (metadata != null && !metadata.isObject()) {
            metadata = null; // Spring's metadata is a map; anything else carries nothing we know
        }
        Locality locality = new Locality(
                payloadText(payload, metadata, "zone"),
                payloadText(payload, metadata, "region"),
                payloadText(payload, metadata, "rack"));
        int weight = weight(payload, metadata);
        boolean enabled = enabled(root.get("enabled"));
        return new Backend(nodeName, address, port, locality, weight, BackendOrigin.ZOOKEEPER, enabled);
    }

    private static int port(JsonNode root) throws Bad {
        JsonNode port = root.get("port");
        String key = "port";
        if (isAbsent(port)) {
            port = root.get("sslPort");
            key = "sslPort";
            if (isAbsent(port)) {
                throw new Bad("port: missing (expected: 1-65535, or an sslPort when port is null)");
            }
        }
        Long value = integral(port);
        if (value == null || value < 1 || value > 65535) {
            throw new Bad(key + ": " + show(port) + " (expected: 1-65535)");
        }
        return value.intValue();
    }

    /** The payload object, unwrapped from Jackson's {@code [class, value]} form; {@code null} if none. */
    private static JsonNode payload(JsonNode payload) {
        if (payload == null || payload.isObject()) {
            return payload;
        }
        if (payload.isArray() && payload.size() == 2 && payload.get(0).isTextual() && payload.get(1).isObject()) {
            return payload.get(1);
        }
        return null;
    }

    private static String payloadText(JsonNode payload, JsonNode metadata, String key) throws Bad {
        if (payload == null) {
            return "";
        }
        String value = text(payload, key, "payload." + key);
        if (value.isBlank() && metadata != null) {
            value = text(metadata, key, "payload.metadata." + key);
        }
        return value;
    }

    private static int weight(JsonNode payload, JsonNode metadata) throws Bad {
        if (payload == null) {
            return Backend.DEFAULT_WEIGHT;
        }
        JsonNode weight = payload.get("weight");
        String key = "payload.weight";
        if (isAbsent(weight) && metadata != null) {
            weight = metadata.get("weight");
            key = "payload.metadata.weight";
        }
        if (isAbsent(weight)) {
            return Backend.DEFAULT_WEIGHT;
        }
        Long value = integral(weight);
        if (value == null || value < 1 || value > Backend.MAX_WEIGHT) {
            throw new Bad(key + ": " + show(weight) + " (expected: an integer 1-" + Backend.MAX_WEIGHT + ")");
        }
        return value.intValue();
    }

    private static boolean enabled(JsonNode enabled) throws Bad {
        if (isAbsent(enabled)) {
            return true;
        }
        if (enabled.isBoolean()) {
            return enabled.booleanValue();
        }
        if (enabled.isTextual()) {
            String s = enabled.textValue().strip();
            if (s.equalsIgnoreCase("true")) {
                return true;
            }
            if (s.equalsIgnoreCase("false")) {
                return false;
            }
        }
        throw new Bad("enabled: " + show(enabled) + " (expected: true or false)");
    }
}
