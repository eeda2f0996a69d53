package dev.halb.discovery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * An immutable snapshot of a service's backends, sorted by id, ids unique.
 *
 * <p>Sorting by id makes two replicas that see the same instances see the same list, which
 * consistent hashing relies on.
 */
public record BackendSet(String service, List<Backend> backends) {

    public BackendSet {
        Objects.requireNonNull(service, "service");
        List<Backend> sorted = new ArrayList<>(backends);
        sorted.sort(Comparator.comparing(Backend::id));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw new IllegalArgumentException("backends: duplicate id '" + sorted.get(i).id() + "'");
            }
        }
        backends = List.copyOf(sorted);
    }

    public static BackendSet empty(String service) {
        return new BackendSet(service, List.of());
    }

    public boolean isEmpty() {
        return backends.isEmpty();
    }

    public int size() {
        return backends.size();
    }
}
