package dev.halb.core.replica;

import dev.halb.core.admin.BackendView;
import dev.halb.core.admin.VipView;
import dev.halb.core.balance.Endpoint;
import dev.halb.core.balance.VipSelector;
import dev.halb.core.config.VipConfig;
import dev.halb.core.health.ConnectObserver;
import dev.halb.core.metrics.VipMetrics;
import dev.halb.core.proxy.Transport;
import dev.halb.core.proxy.VipListener;
import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSet;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VIP's slice of the replica: its endpoints (backends with live connection counts), which of
 * them are candidates, the selector over the candidates, and the listener.
 *
 * <p>Catalog snapshots and drain requests arrive on other threads and are applied under one
 * lock; each change publishes a new picker. The data path never takes that lock.
 */
final class VipRuntime {

    private static final Logger log = LoggerFactory.getLogger(VipRuntime.class);

    private final VipConfig config;
    private final VipSelector selector;
    private final VipListener listener;
    private final Object lock = new Object();
    /** id -> endpoint, in id order; guarded by {@link #lock}. */
    private Map<String, Endpoint> endpoints = Map.of();
    /** ids an operator drained; guarded by {@link #lock}. */
    private final Set<String> drained = new HashSet<>();
    private volatile String bindError;

    VipRuntime(VipConfig config, EventLoopGroup group, Transport transport, VipMetrics metrics,
               ConnectObserver observer, long seed) {
        this.config = config;
        this.selector = new VipSelector(config.strategy(), seed);
        this.listener = new VipListener(config, group, transport, selector, metrics, observer);
    }

    String name() {
        return config.name();
    }

    VipConfig config() {
        return config;
    }

    VipListener listener() {
        return listener;
    }

    void bindFailed(String error) {
        bindError = error;
    }

    /** A new snapshot of the VIP's service. */
    void onBackends(BackendSet set) {
        synchronized (lock) {
            Map<String, Endpoint> next = new LinkedHashMap<>();
            for (Backend backend : set.backends()) {
                Endpoint previous = endpoints.get(backend.id());
                if (previous != null && previous.backend().equals(backend)) {
                    next.put(backend.id(), previous);
                    continue;
                }
                InetSocketAddress address = new InetSocketAddress(backend.address(), backend.port());
                if (address.isUnresolved()) {
                    log.warn("VIP {}: backend {} left out: cannot resolve '{}'", name(), backend.id(), backend.address());
                    continue;
                }
                next.put(backend.id(), previous == null
                        ? new Endpoint(backend, address)
                        : previous.withBackend(backend, address));
            }
            endpoints = next;
            drained.retainAll(next.keySet());
            publish();
        }
    }

    /** Operator drain or undrain; {@code false} when the backend is unknown. */
    boolean setDrained(String backendId, boolean drain) {
        synchronized (lock) {
            if (!endpoints.containsKey(backendId)) {
                return false;
            }
            if (drain ? drained.add(backendId) : drained.remove(backendId)) {
                log.info("VIP {}: backend {} {}", name(), backendId, drain ? "drained" : "undrained");
                publish();
            }
            return true;
        }
    }

    /** Recomputes the candidates and publishes a new picker. Holds {@link #lock}. */
    private void publish() {
        List<Endpoint> candidates = new ArrayList<>(endpoints.size());
        for (Endpoint e : endpoints.values()) {
            if (isCandidate(e)) {
                candidates.add(e);
            }
        }
        candidates.sort(Comparator.comparing(Endpoint::id));
        selector.update(candidates);
    }

    private boolean isCandidate(Endpoint e) {
        return e.backend().enabled() && !drained.contains(e.id());
    }

    private String state(Endpoint e) {
        if (!e.backend().enabled() || drained.contains(e.id())) {
            return "drained";
        }
        return "healthy";
    }

    VipView view() {
        List<BackendView> backends = new ArrayList<>();
        synchronized (lock) {
            for (Endpoint e : endpoints.values()) {
                Backend b = e.backend();
                backends.add(new BackendView(b.id(), b.address(), b.port(), b.zone(), b.locality().region(),
                        b.locality().rack(), b.weight(), b.source().label(), state(e), e.activeConnections()));
            }
        }
        InetSocketAddress bound = listener.localAddress();
        return new VipView(config.name(), config.bind().toString(),
                bound == null ? null : bound.getAddress().getHostAddress() + ":" + bound.getPort(),
                listener.isBound(), bindError, config.service(), config.strategy().label(),
                listener.activeConnections(), config.maxConnections(), zoneSplit(), backends);
    }

    /** Share of new connections per zone: here, each zone's share of candidate weight. */
    private Map<String, Double> zoneSplit() {
        Endpoint[] candidates = selector.candidates();
        Map<String, Double> split = new LinkedHashMap<>();
        long total = 0;
        for (Endpoint e : candidates) {
            total += e.weight();
        }
        for (Endpoint e : candidates) {
            split.merge(e.zone(), (double) e.weight() / total, Double::sum);
        }
        return split;
    }
}
