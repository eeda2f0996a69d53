package dev.halb.discovery;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Backends named in configuration. Reports them at start, and again each time the configuration
 * is reloaded ({@link #replace}): a service that is no longer named gets an empty list.
 */
public final class StaticBackendSource implements BackendSource {

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private Map<String, List<Backend>> backendsByService;
    /** Guarded by {@link #lock}; {@code null} before start and after close. */
    private Listener listener;

    /** @param backendsByService service name to its static backends */
    public StaticBackendSource(Map<String, List<Backend>> backendsByService) {
        this.backendsByService = Map.copyOf(Objects.requireNonNull(backendsByService, "backendsByService"));
    }

    @Override
    public String name() {
        return "static";
    }

    @Override
    public void start(Listener listener) {
        synchronized (lock) {
            this.listener = Objects.requireNonNull(listener, "listener");
            backendsByService.forEach((service, backends) -> listener.onBackends(this, service, List.copyOf(backends)));
        }
    }

    /**
     * The configuration changed: reports every service whose backends differ, and an empty list
     * for a service no longer named. Reported under this source's lock, so that two reloads reach
     * the catalog in the order they were made.
     */
    public void replace(Map<String, List<Backend>> next) {
        Map<String, List<Backend>> copy = Map.copyOf(Objects.requireNonNull(next, "next"));
        synchronized (lock) {
            Map<String, List<Backend>> previous = backendsByService;
            backendsByService = copy;
            if (listener == null) {
                return;
            }
            Set<String> services = new HashSet<>(previous.keySet());
            services.addAll(copy.keySet());
            for (String service : services) {
                List<Backend> now = copy.getOrDefault(service, List.of());
                if (!now.equals(previous.getOrDefault(service, List.of()))) {
                    listener.onBackends(this, service, List.copyOf(now));
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            listener = null;
        }
    }
}
