package dev.halb.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.discovery.Backend;
import dev.halb.discovery.BackendSet;
import dev.halb.discovery.Catalog;
import dev.halb.discovery.testing.CapturedLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Node bodies that cannot be read (empty, not JSON, JSON of the wrong shape, huge) are skipped,
 * logged once and counted, while a valid sibling keeps serving.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MalformedNodesTest {

    @RegisterExtension
    final ZooKeeperExtension zk = new ZooKeeperExtension();

    private static final String WEB = "/halb/services/web/";

    @Test
    void badNodesAreSkippedLoggedOnceAndCountedWhileAValidSiblingServes() throws Exception {
        CuratorFramework writer = zk.plainClient();
        ServiceDiscovery<ZonePayload> discovery = ServiceDiscoveryBuilder.builder(ZonePayload.class).client(writer)
                .basePath("/halb/services").build();
        discovery.start();
        zk.track(discovery);
        discovery.registerService(ServiceInstance.<ZonePayload>builder().name("web").id("good").address("127.0.0.1")
                .port(9001).payload(new ZonePayload("a")).build());
        Map<String, byte[]> bad = Map.of(
                "empty", new byte[0],
                "not-json", "<html>hello</html>".getBytes(StandardCharsets.UTF_8),
                "wrong-shape", "{\"host\":\"10.0.0.1\",\"listen\":[80]}".getBytes(StandardCharsets.UTF_8),
                "array", "[\"10.0.0.1\",80]".getBytes(StandardCharsets.UTF_8),
                "huge", ("{\"address\":\"10.0.0.1\",\"port\":80,\"pad\":\"" + "x".repeat(200_000) + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            writer.create().withMode(CreateMode.EPHEMERAL).forPath(WEB + e.getKey(), e.getValue());
        }

        CountingRecorder recorder = new CountingRecorder();
        try (CapturedLog log = CapturedLog.of(RejectLog.class).start()) {
            ZooKeeperConnection connection = zk.connect();
            Catalog catalog = zk.track(new Catalog(List.of(new ZooKeeperBackendSource(connection, recorder))));
            List<BackendSet> seen = new CopyOnWriteArrayList<>();
            catalog.subscribe("web", seen::add);
            catalog.start();

            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.count() == 5
                    && catalog.backends("web").size() == 1);
            assertThat(catalog.backends("web").backends()).extracting(Backend::id).containsExactly("good");
            assertThat(recorder.rejections).extracting(CountingRecorder.Rejection::path)
                    .containsExactlyInAnyOrder(WEB + "empty", WEB + "not-json", WEB + "wrong-shape", WEB + "array",
                            WEB + "huge");
            assertThat(recorder.rejections).filteredOn(r -> r.path().endsWith("huge")).singleElement()
                    .extracting(CountingRecorder.Rejection::reason).asString().contains("expected: at most 65536");
            assertThat(recorder.rejections).filteredOn(r -> r.path().endsWith("wrong-shape")).singleElement()
                    .extracting(CountingRecorder.Rejection::reason).asString().contains("address: missing");
            for (String name : bad.keySet()) {
                assertThat(log.warningsMentioning(WEB + name + " ")).as(name).isEqualTo(1);
            }

            // A new session re-reads every node: still one log line and one count per node version.
            ZooKeeperExtension.expireSession(connection.curator(), zk.connectString());
            await().atMost(Duration.ofSeconds(10)).until(() -> !connection.state().connected());
            await().atMost(Duration.ofSeconds(10)).until(() -> connection.state().connected());
            writer.create().withMode(CreateMode.EPHEMERAL).forPath(WEB + "late", "nope".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.count() == 6);
            assertThat(recorder.countFor(WEB + "empty")).isEqualTo(1);
            assertThat(log.warningsMentioning(WEB + "empty ")).isEqualTo(1);

            // Fixed: it serves. Broken again (a new version): reported again.
            writer.setData().forPath(WEB + "empty", "{\"address\":\"127.0.0.1\",\"port\":9002}".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 2);
            writer.setData().forPath(WEB + "empty", "{".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.countFor(WEB + "empty") == 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> catalog.backends("web").size() == 1);
            assertThat(seen).allMatch(set -> set.backends().stream().anyMatch(b -> b.id().equals("good"))
                    || set.isEmpty() && set == seen.get(0));
        }
    }
}
