package dev.halb.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.halb.discovery.Locality;
import dev.halb.discovery.testing.CapturedLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One id, one holder: a second replica or instance with an id that a live process holds is
 * refused, naming the holder, and leaves the holder's node alone (a node left by a process that
 * died is waited out: RegisterCommandTest kills one); a holder whose node someone deletes or takes writes it back.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DuplicateIdTest {

    @RegisterExtension
    final ZooKeeperExtension zk = new ZooKeeperExtension();

    private static ReplicaInfo replica(String id, String address, String startedAt) {
        return new ReplicaInfo(id, "a", "", address, address + ":9990", List.of(), startedAt);
    }

    /** Short sessions so that waiting one out stays short; the server's minimum is 2 ticks. */
    private ZooKeeperSettings settings() {
        return zk.settings().withTimeouts(4_000, 3_000);
    }

    @Test
    void aSecondReplicaWithTheSameIdIsRefusedNamingTheFirst() throws Exception {
        ReplicaRegistry first = zk.track(ReplicaRegistry.start(zk.connect(settings()),
                replica("r1", "10.0.0.1", "2030-01-01T00:00:00Z"), new CountingRecorder()));
        Stat held = zk.plainClient().checkExists().forPath("/halb/replicas/r1");

        assertThatThrownBy(() -> ReplicaRegistry.start(zk.connect(settings()),
                replica("r1", "10.0.0.2", "2030-01-02T00:00:00Z"), new CountingRecorder()))
                .isInstanceOf(IdInUseException.class)
                .hasMessage("/halb/replicas/r1 is held by another live process (address 10.0.0.1, admin "
                        + "10.0.0.1:9990, started 2030-01-01T00:00:00Z)");
        // The first one's node is untouched: same session, same body, and it still holds it.
        Stat after = zk.plainClient().checkExists().forPath("/halb/replicas/r1");
        assertThat(after.getEphemeralOwner()).isEqualTo(held.getEphemeralOwner());
        assertThat(after.getMzxid()).isEqualTo(held.getMzxid());
        assertThat(first.holdsNode()).isTrue();
    }

    @Test
    void aHolderWritesBackItsNodeWhenItIsDeletedOrTaken() throws Exception {
        ServiceRegistration holder = ServiceRegistration.register(zk.connect(settings()),
                new ServiceRegistration.Instance("web", "web-1", "127.0.0.1", 8080, Locality.ofZone("a"), 100));
        try (CapturedLog log = CapturedLog.of(OwnedNode.class).start()) {
            CuratorFramework other = zk.plainClient();
            String path = "/halb/services/web/web-1";
            other.delete().forPath(path);
            await().atMost(Duration.ofSeconds(10)).until(holder::held);
            assertThat(log.warningsMentioning("was deleted by someone else: writing it back")).isEqualTo(1);

            // Deleted and created again by another session, the way Curator's ServiceDiscovery registers.
            other.delete().forPath(path);
            other.create().withMode(CreateMode.EPHEMERAL).forPath(path,
                    "{\"address\":\"10.9.9.9\",\"port\":1,\"registrationTimeUTC\":0}".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(holder::held);
            assertThat(new String(other.getData().forPath(path), StandardCharsets.UTF_8)).contains("127.0.0.1");
            assertThat(log.warningMessages()).anyMatch(w -> w.contains("taken by another process (address 10.9.9.9:1, "
                    + "registered 1970-01-01T00:00:00Z)") || w.contains("was deleted by someone else"));

            // A second registration is refused, and stopping it leaves the holder's node.
            assertThatThrownBy(() -> ServiceRegistration.register(zk.connect(settings()),
                    new ServiceRegistration.Instance("web", "web-1", "127.0.0.1", 9090, Locality.NONE, 100)))
                    .isInstanceOf(IdInUseException.class)
                    .hasMessageContaining("address 127.0.0.1:8080, registered 20");
            assertThat(holder.held()).isTrue();
        }
        assertThat(holder.deregister()).isTrue();
        assertThat(zk.plainClient().checkExists().forPath("/halb/services/web/web-1")).isNull();
    }
}
