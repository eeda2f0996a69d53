package dev.halb.discovery.zookeeper;

import dev.halb.discovery.testing.ZooKeeperServerExtension;
import java.time.InstantSource;

/**
 * The shared {@link ZooKeeperServerExtension} plus connections through this library's own
 * {@link ZooKeeperClients}.
 */
final class ZooKeeperExtension extends ZooKeeperServerExtension {

    /** Settings for this server with short timeouts. */
    ZooKeeperSettings settings() {
        return ZooKeeperSettings.of(connectString()).withTimeouts(10_000, 3_000);
    }

    ZooKeeperConnection connect() throws InterruptedException {
        return connect(settings());
    }

    ZooKeeperConnection connect(ZooKeeperSettings settings) throws InterruptedException {
        return track(ZooKeeperClients.connect(settings, InstantSource.system()));
    }
}
