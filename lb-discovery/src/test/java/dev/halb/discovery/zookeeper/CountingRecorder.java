package dev.halb.discovery.zookeeper;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link DiscoveryRecorder} that remembers every rejection. */
final class CountingRecorder implements DiscoveryRecorder {

    record Rejection(String path, String reason) {
    }

    final List<Rejection> rejections = new CopyOnWriteArrayList<>();

    @Override
    public void rejected(String path, String reason) {
        rejections.add(new Rejection(path, reason));
    }

    int count() {
        return rejections.size();
    }

    long countFor(String path) {
        return rejections.stream().filter(r -> r.path().equals(path)).count();
    }
}
