package dev.halb.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two replicas on one ZooKeeper see each other. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicaRegistryTest {

    @RegisterExtension
    final ZooKeeperExtension zk = new ZooKeeperExtension();

    private static ReplicaInfo replica(String id, String zone) {
        return new ReplicaInfo(id, zone, "eu", "10.0.0." + id.length(), "127.0.0.1:9990",
                List.of(new ReplicaInfo.VipBind("web", "0.0.0.0:8080")), "2030-01-01T00:00:00Z");
    }

    @Test
    void twoReplicasListEachOtherAndOneThatClosesDisappears() throws Exception {
        CountingRecorder recorder = new CountingRecorder();
        ReplicaRegistry one = zk.track(ReplicaRegistry.start(zk.connect(), replica("one", "a"), recorder));
        ReplicaRegistry two = zk.track(ReplicaRegistry.start(zk.connect(), replica("two", "b"), recorder));
        List<ReplicaSet> seenByOne = new CopyOnWriteArrayList<>();
        one.subscribe(seenByOne::add);

        await().atMost(Duration.ofSeconds(10)).until(() -> one.replicas().size() == 2 && two.replicas().size() == 2);
        assertThat(one.replicas()).isEqualTo(two.replicas());
        assertThat(one.replicas().replicas()).containsExactly(replica("one", "a"), replica("two", "b"));
        assertThat(one.replicas().zoneShares()).containsEntry("a", 0.5).containsEntry("b", 0.5);

        // The node is ephemeral and carries DESIGN's JSON.
        CuratorFramework reader = zk.plainClient();
        Stat stat = reader.checkExists().forPath("/halb/replicas/two");
        assertThat(stat.getEphemeralOwner()).isNotZero();
        assertThat(new String(reader.getData().forPath("/halb/replicas/two"), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"two\",\"zone\":\"b\",\"region\":\"eu\",\"address\":\"10.0.0.3\","
                        + "\"admin\":\"127.0.0.1:9990\",\"vips\":[{\"name\":\"web\",\"bind\":\"0.0.0.0:8080\",\"address\":\"\"}],"
                        + "\"startedAt\":\"2030-01-01T00:00:00Z\"}");

        // VIPs change: the node follows.
        ReplicaInfo moved = replica("two", "b").withVips(List.of(new ReplicaInfo.VipBind("api", "0.0.0.0:9090")));
        two.update(moved);
        await().atMost(Duration.ofSeconds(10)).until(() -> moved.equals(one.replicas().get("two")));

        two.close();
        assertThat(reader.checkExists().forPath("/halb/replicas/two")).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> one.replicas().size() == 1);
        assertThat(one.replicas().get("one")).isEqualTo(replica("one", "a"));
        assertThat(seenByOne.get(seenByOne.size() - 1).size()).isEqualTo(1);
        assertThat(recorder.count()).isZero();
        assertThatThrownBy(() -> one.update(replica("other", "a"))).hasMessageContaining("id: 'other'");
    }

    @Test
    void malformedReplicaNodesAreSkippedAndCountedAndLenientOnesRead() throws Exception {
        CuratorFramework writer = zk.plainClient();
        writer.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath("/halb/replicas/garbage", "not json".getBytes(StandardCharsets.UTF_8));
        writer.create().withMode(CreateMode.EPHEMERAL)
                .forPath("/halb/replicas/bad-vips", "{\"vips\":\"web\"}".getBytes(StandardCharsets.UTF_8));
        writer.create().withMode(CreateMode.EPHEMERAL)
                .forPath("/halb/replicas/sparse", "{\"zone\":\"c\",\"future\":{\"x\":1}}".getBytes(StandardCharsets.UTF_8));
        CountingRecorder recorder = new CountingRecorder();
        ReplicaRegistry registry = zk.track(ReplicaRegistry.start(zk.connect(), replica("me", "a"), recorder));

        await().atMost(Duration.ofSeconds(10)).until(() -> registry.replicas().size() == 2 && recorder.count() == 2);
        assertThat(registry.replicas().replicas()).extracting(ReplicaInfo::id).containsExactly("me", "sparse");
        assertThat(registry.replicas().get("sparse"))
                .isEqualTo(new ReplicaInfo("sparse", "c", "", "", "", List.of(), ""));
        assertThat(recorder.rejections).extracting(CountingRecorder.Rejection::path)
                .containsExactlyInAnyOrder("/halb/replicas/garbage", "/halb/replicas/bad-vips");
    }

    @Test
    void theOwnNodeComesBackAfterTheSessionExpires() throws Exception {
        ZooKeeperConnection connection = zk.connect();
        ReplicaRegistry registry = zk.track(ReplicaRegistry.start(connection, replica("me", "a"),
                DiscoveryRecorder.disabled()));
        CuratorFramework reader = zk.plainClient();
        long before = reader.checkExists().forPath(registry.path()).getEphemeralOwner();
        ZooKeeperExtension.expireSession(connection.curator(), zk.connectString());
        await().atMost(Duration.ofSeconds(45)).until(() -> {
            Stat stat = reader.checkExists().forPath(registry.path());
            return stat != null && stat.getEphemeralOwner() != before;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.replicas().get("me") != null);
    }

    @Test
    void zoneSharesCountZonedReplicasOnly() {
        ReplicaSet set = new ReplicaSet(List.of(replica("x", "a"), replica("y", "a"), replica("z", "b"),
                replica("w", "")));
        assertThat(set.zoneShares().get("a")).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(set.zoneShares().get("b")).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(set.zoneShares()).doesNotContainKey("");
        assertThat(new ReplicaSet(List.of(replica("w", ""))).zoneShares()).isEmpty();
        assertThatThrownBy(() -> new ReplicaSet(List.of(replica("x", "a"), replica("x", "b"))))
                .hasMessageContaining("duplicate id 'x'");
    }
}
