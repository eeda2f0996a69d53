package dev.halb.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CatalogTest {

    /** A source the test drives by hand. */
    static final class ManualSource implements BackendSource {
        Listener listener;

        @Override
        public String name() {
            return "manual";
        }

        @Override
        public void start(Listener l) {
            this.listener = l;
        }

        void report(String service, Backend... backends) {
            listener.onBackends(this, service, List.of(backends));
        }

        @Override
        public void close() {
        }
    }

    private static Backend zk(String id, int port) {
        return new Backend(id, "127.0.0.1", port, Locality.ofZone("a"), 100, BackendOrigin.ZOOKEEPER, true);
    }

    @Test
    void subscriberGetsCurrentSetAtOnceThenEveryChangeOnlyOnce() throws Exception {
        ManualSource source = new ManualSource();
        try (Catalog catalog = new Catalog(List.of(source))) {
            catalog.start();
            List<BackendSet> seen = new CopyOnWriteArrayList<>();
            catalog.subscribe("web", seen::add);
            assertThat(seen).containsExactly(BackendSet.empty("web"));
            source.report("web", zk("b", 2), zk("a", 1));
            source.report("web", zk("a", 1), zk("b", 2)); // same set, other order: not published again
            source.report("other", zk("x", 3));
            assertThat(seen).hasSize(2);
            assertThat(seen.get(1).backends()).extracting(Backend::id).containsExactly("a", "b");
            List<BackendSet> late = new ArrayList<>();
            catalog.subscribe("web", late::add);
            assertThat(late).containsExactly(seen.get(1));
        }
    }

    @Test
    void changeOfAttributesIsAChange() throws Exception {
        ManualSource source = new ManualSource();
        try (Catalog catalog = new Catalog(List.of(source))) {
            catalog.start();
            List<BackendSet> seen = new CopyOnWriteArrayList<>();
            catalog.subscribe("web", seen::add);
            source.report("web", zk("a", 1));
            source.report("web", new Backend("a", "127.0.0.1", 1, Locality.ofZone("a"), 50, BackendOrigin.ZOOKEEPER, true));
            assertThat(seen).hasSize(3);
            assertThat(seen.get(2).backends().get(0).weight()).isEqualTo(50);
        }
    }

    @Test
    void staticAndDiscoveredBackendsAreMerged() throws Exception {
        ManualSource zk = new ManualSource();
        Backend fixed = Backend.ofStatic("10.0.0.1", 80, Locality.NONE, 100);
        try (Catalog catalog = new Catalog(List.of(new StaticBackendSource(Map.of("web", List.of(fixed))), zk))) {
            catalog.start();
            zk.report("web", zk("i-1", 81));
            assertThat(catalog.backends("web").backends()).extracting(Backend::id)
                    .containsExactly("10.0.0.1:80", "i-1");
            assertThat(catalog.backends("web").backends().get(0).origin()).isEqualTo(BackendOrigin.STATIC);
        }
    }

    @Test
    void aThrowingSubscriberDoesNotStopOthers() throws Exception {
        ManualSource source = new ManualSource();
        try (Catalog catalog = new Catalog(List.of(source))) {
            catalog.start();
            List<BackendSet> seen = new CopyOnWriteArrayList<>();
            catalog.subscribe("web", set -> {
                throw new IllegalStateException("boom");
            });
            catalog.subscribe("web", seen::add);
            source.report("web", zk("a", 1));
            assertThat(seen).hasSize(2);
        }
    }

    @Test
    void backendsValidateTheirValues() {
        assertThatThrownBy(() -> new Backend("x", "h", 0, null, 100, BackendOrigin.STATIC, true))
                .hasMessageContaining("port: 0 (expected: 1-65535)");
        assertThatThrownBy(() -> new Backend("x", "h", 1, null, 0, BackendOrigin.STATIC, true))
                .hasMessageContaining("weight: 0");
        assertThatThrownBy(() -> new BackendSet("s", List.of(zk("a", 1), zk("a", 2))))
                .hasMessageContaining("duplicate id 'a'");
        assertThat(Backend.staticId("::1", 80)).isEqualTo("[::1]:80");
    }
}
