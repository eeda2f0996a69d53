package dev.halb.discovery.zookeeper;

import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import java.io.IOException;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend instance registered in ZooKeeper, held until {@link #close()}.
 *
 * <p>Registration goes through Curator's own {@code ServiceDiscovery} with base path
 * {@code <root>/services}, so the node is exactly what any Curator service would write: an
 * ephemeral node {@code <root>/services/<service>/<id>} holding a {@code ServiceInstance} with an
 * {@link InstancePayload}. The serializer is Curator's {@code JsonInstanceSerializer} outside its
 * compatible mode, so the body carries {@code "enabled": true} explicitly.
 *
 * <p>After the session is lost, Curator's {@code ServiceDiscovery} registers the instance again as
 * soon as it reconnects (it re-registers on every CONNECTED and RECONNECTED), replacing any node
 * left over from the old session.
 */
public final class ServiceRegistration implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceRegistration.class);

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
    private final String path;
    private final ServiceDiscovery<InstancePayload> discovery;
    private final ServiceInstance<InstancePayload> registered;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ServiceRegistration(Instance instance, String path, ServiceDiscovery<InstancePayload> discovery,
                                ServiceInstance<InstancePayload> registered) {
        this.instance = instance;
        this.path = path;
        this.discovery = discovery;
        this.registered = registered;
    }

    /**
     * Registers {@code instance} now. Blocks while Curator retries (see {@link ZooKeeperClients});
     * callers that must not wait check {@link ZooKeeperConnection#awaitConnected} first.
     *
     * @throws Exception from ZooKeeper, e.g. {@code NoAuthException} when {@code auth} is missing
     *                   or wrong, {@code ConnectionLossException} when no server answers
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
        ServiceDiscovery<InstancePayload> discovery = ServiceDiscoveryBuilder.builder(InstancePayload.class)
                .client(connection.curator())
                .basePath(connection.settings().servicesPath())
                .serializer(new JsonInstanceSerializer<>(InstancePayload.class, false))
                .build();
        try {
            discovery.start();
            discovery.registerService(si);
        } catch (Exception e) {
            closeQuietly(discovery);
            throw e;
        }
        String path = ZKPaths.makePath(connection.settings().servicePath(instance.service()), instance.id());
        log.debug("registered {} ({}:{})", path, instance.address(), instance.port());
        return new ServiceRegistration(instance, path, discovery, si);
    }

    public Instance instance() {
        return instance;
    }

    /** The instance's node, {@code <root>/services/<service>/<id>}. */
    public String path() {
        return path;
    }

    /** Removes the node (when connected; otherwise it goes with the session) and stops. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            discovery.unregisterService(registered);
            log.debug("deregistered {}", path);
        } catch (Exception e) {
            log.warn("cannot remove {} now ({}): it goes when the session ends", path, e.toString());
        }
        closeQuietly(discovery);
    }

    private static void closeQuietly(ServiceDiscovery<?> discovery) {
        try {
            discovery.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing service discovery failed", e);
        }
    }
}
