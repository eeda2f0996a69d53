package dev.halb.discovery;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Backends named in configuration. Reports once at start and never changes. */
public final class StaticBackendSource implements BackendSource {

    private final Map<String, List<Backend>> backendsByService;

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
        backendsByService.forEach((service, backends) -> listener.onBackends(this, service, List.copyOf(backends)));
    }

    @Override
    public void close() {
        // nothing to release
    }
}
