package dev.halb.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dynamic VIP nodes created, changed and deleted by an operator are reported as whole maps. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VipNodeSourceTest {

    @RegisterExtension
    final ZooKeeperExtension zk = new ZooKeeperExtension();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void createChangeDeleteAreReportedAsWholeMaps() throws Exception {
        CuratorFramework operator = zk.plainClient();
        operator.create().creatingParentsIfNeeded().forPath("/halb/vips/web", utf8("{\"bind\":\"127.0.0.1:8080\"}"));
        CountingRecorder recorder = new CountingRecorder();
        ZooKeeperConnection connection = zk.connect();
        VipNodeSource source = zk.track(VipNodeSource.start(connection, recorder));
        // start() waited for the first read: the map is complete at once.
        assertThat(source.vips()).isEqualTo(Map.of("web", "{\"bind\":\"127.0.0.1:8080\"}"));
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        source.subscribe(seen::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);

        operator.create().forPath("/halb/vips/api", utf8("{\"bind\":\"127.0.0.1:9090\",\"strategy\":\"maglev\"}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> source.vips().size() == 2);
        operator.setData().forPath("/halb/vips/web", utf8("{\"bind\":\"127.0.0.1:8081\"}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> source.vips().get("web").contains("8081"));
        operator.delete().forPath("/halb/vips/api");
        await().atMost(Duration.ofSeconds(10)).until(() -> source.vips().size() == 1);

        assertThat(seen).containsExactly(
                Map.of("web", "{\"bind\":\"127.0.0.1:8080\"}"),
                Map.of("web", "{\"bind\":\"127.0.0.1:8080\"}", "api", "{\"bind\":\"127.0.0.1:9090\",\"strategy\":\"maglev\"}"),
                Map.of("web", "{\"bind\":\"127.0.0.1:8081\"}", "api", "{\"bind\":\"127.0.0.1:9090\",\"strategy\":\"maglev\"}"),
                Map.of("web", "{\"bind\":\"127.0.0.1:8081\"}"));

        // Raw JSON is passed on, even when it is not JSON: lb-core reports it by key path.
        operator.create().forPath("/halb/vips/broken", utf8("{bind"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "{bind".equals(source.vips().get("broken")));
        // Only an oversized body is dropped here.
        operator.create().forPath("/halb/vips/huge", new byte[NodeJson.MAX_BYTES + 1]);
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.count() == 1);
        assertThat(source.vips()).doesNotContainKey("huge");
        assertThat(recorder.rejections.get(0).path()).isEqualTo("/halb/vips/huge");

        // A stopped server unbinds nothing.
        int before = seen.size();
        zk.server().stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !connection.state().connected());
        assertThat(source.vips()).containsKeys("web", "broken");
        assertThat(seen).hasSize(before);
    }

    @Test
    void nothingIsPublishedBeforeZooKeeperIsRead() throws Exception {
        zk.server().stop();
        ZooKeeperConnection connection = zk.connect(zk.settings().withTimeouts(10_000, 500));
        VipNodeSource source = zk.track(VipNodeSource.start(connection, DiscoveryRecorder.disabled()));
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        source.subscribe(seen::add);
        assertThat(source.vips()).isEmpty();
        assertThat(seen).isEmpty();
        zk.server().restart();
        await().atMost(Duration.ofSeconds(15)).until(() -> seen.size() == 1);
        assertThat(seen.get(0)).isEmpty();
    }
}
