package dev.halb.discovery.zookeeper;

import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend instance registered in ZooKeeper, held until {@link #close()}.
 *
 * <p>The node is exactly what Curator's own {@code ServiceDiscovery} writes with base path
 * {@code <root>/services}: an ephemeral node {@code <root>/services/<service>/<id>} holding a
 * {@code ServiceInstance} with an {@link InstancePayload}, serialized by Curator's
 * {@code JsonInstanceSerializer} outside its compatible mode (so the body carries
 * {@code "enabled": true} explicitly).
 *
 * <p>It is not written through {@code ServiceDiscovery}, whose registration deletes any node of
 * the same id and writes its own: a second process with an id in use would silently replace the
 * first, and stopping it would delete the first one's node. Here the node is an
 * {@link OwnedNode}: an id held by another live process is refused, naming it; after a lost
 * session the node is created again on reconnecting; deleted or taken by someone else, it is
 * logged and written back; {@link #close()} deletes only a node this process holds.
 */
public final class ServiceRegistration implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceRegistration.class);

    private static final JsonInstanceSerializer<InstancePayload> SERIALIZER =
            new JsonInstanceSerializer<>(InstancePayload.class, false);

    /**
     * What to register.
     *
     * @param service  the service name (a ZooKeeper node name)
     * @param id       the instance id (a ZooKeeper node name); {@link #of} makes a random UUID, as Curator does
     * @param address  host name or IP address clients connect to
     * @param port     1-65535
     * @param locality zone, region and rack
     * @param weight   1-10000
     */
    public record Instance(String service, String id, String address, int port, Locality locality, int weight) {

        public Instance {
            ZooKeeperSettings.validNodeName("service", service);
            ZooKeeperSettings.validNodeName("id", id);
            Objects.requireNonNull(address, "address");
            address = address.strip();
            if (address.isEmpty() || address.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("address: '" + address + "' (expected: a host name or IP address)");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
            }
            locality = locality == null ? Locality.NONE : locality;
            if (weight < 1 || weight > Backend.MAX_WEIGHT) {
                throw new IllegalArgumentException("weight: " + weight + " (expected: 1-" + Backend.MAX_WEIGHT + ")");
            }
        }

        /** An instance with a random id, no zone and the default weight. */
        public static Instance of(String service, String address, int port) {
            return new Instance(service, UUID.randomUUID().toString(), address, port, Locality.NONE,
                    Backend.DEFAULT_WEIGHT);
        }

        public Instance withId(String newId) {
            return new Instance(service, newId, address, port, locality, weight);
        }

        public Instance withLocality(Locality newLocality) {
            return new Instance(service, id, address, port, newLocality, weight);
        }

        public Instance withWeight(int newWeight) {
            return new Instance(service, id, address, port, locality, newWeight);
        }
    }

    private final Instance instance;
    private final OwnedNode node;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ServiceRegistration(Instance instance, OwnedNode node) {
        this.instance = instance;
        this.node = node;
    }

    /**
     * Registers {@code instance} now. Blocks while Curator retries (see {@link ZooKeeperClients});
     * callers that must not wait check {@link ZooKeeperConnection#awaitConnected} first. An id
     * whose node another live session holds is refused; a node left by a process that died is
     * waited out first (up to the session timeout).
     *
     * @throws IdInUseException when another live process holds this service's instance id
     * @throws Exception        from ZooKeeper, e.g. {@code NoAuthException} when {@code auth} is
     *                          missing or wrong, {@code ConnectionLossException} when no server answers
     */
    public static ServiceRegistration register(ZooKeeperConnection connection, Instance instance) throws Exception {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(instance, "instance");
        Locality l = instance.locality();
        ServiceInstance<InstancePayload> si = ServiceInstance.<InstancePayload>builder()
                .name(instance.service())
                .id(instance.id())
                .address(instance.address())
                .port(instance.port())
                .serviceType(ServiceType.DYNAMIC)
                .payload(new InstancePayload(l.zone(), l.region(), l.rack(), instance.weight()))
                .build();
        byte[] body = SERIALIZER.serialize(si);
        String path = ZKPaths.makePath(connection.settings().servicePath(instance.service()), instance.id());
        OwnedNode node = new OwnedNode(connection, path, "instance node", body, ServiceRegistration::holder);
        try {
            node.create();
        } catch (Exception e) {
            node.delete();
            throw e;
        }
        log.debug("registered {} ({}:{})", path, instance.address(), instance.port());
        return new ServiceRegistration(instance, node);
    }

    /** An instance node's holder for messages: the address it registered and when. */
    static String holder(byte[] body) {
        try {
            JsonNode n = NodeJson.readObject(body, "a service instance");
            JsonNode time = n.get("registrationTimeUTC");
            String since = time != null && time.canConvertToLong()
                    ? Instant.ofEpochMilli(time.asLong()).toString() : "(unknown)";
            JsonNode port = n.get("port");
            return "address " + NodeJson.text(n, "address", "address") + ":" + (port == null ? "?" : port.asText())
                    + ", registered " + since;
        } catch (NodeJson.Bad e) {
            return "a node that is not a service instance: " + e.getMessage();
        }
    }

    public Instance instance() {
        return instance;
    }

    /** The instance's node, {@code <root>/services/<service>/<id>}. */
    public String path() {
        return node.path();
    }

    /** Whether this process's session holds the node now (a read of ZooKeeper). */
    public boolean held() {
        return node.held();
    }

    /**
     * Removes the node if this process holds it, and stops watching it. Idempotent.
     *
     * @return {@code true} when the node is gone or was never this process's; {@code false} when
     *         ZooKeeper did not answer in time (the node then goes when the session ends)
     */
    public boolean deregister() {
        if (!closed.compareAndSet(false, true)) {
            return true;
        }
        boolean gone = node.delete();
        if (gone) {
            log.debug("deregistered {}", path());
        } else {
            log.warn("cannot remove {} now: it goes when the session ends", path());
        }
        return gone;
    }

    /** {@link #deregister()}. */
    @Override
    public void close() {
        deregister();
    }
}
