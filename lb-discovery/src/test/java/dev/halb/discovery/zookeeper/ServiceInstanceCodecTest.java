package dev.halb.discovery.zookeeper;

import dev.halb.discovery.testing.ShopPayload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import dev.halb.discovery.BackendOrigin;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.Test;

class ServiceInstanceCodecTest {

    private static Backend accepted(String nodeName, String json) {
        ServiceInstanceCodec.Result r = ServiceInstanceCodec.decode(nodeName, json.getBytes(StandardCharsets.UTF_8));
        assertThat(r).isInstanceOf(ServiceInstanceCodec.Accepted.class);
        return ((ServiceInstanceCodec.Accepted) r).backend();
    }

    private static String rejected(String nodeName, byte[] body) {
        ServiceInstanceCodec.Result r = ServiceInstanceCodec.decode(nodeName, body);
        assertThat(r).isInstanceOf(ServiceInstanceCodec.Rejected.class);
        return ((ServiceInstanceCodec.Rejected) r).reason();
    }

    private static String rejected(String nodeName, String json) {
        return rejected(nodeName, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsWhatCuratorWritesInBothSerializerModes() throws Exception {
        for (boolean compatible : new boolean[] {true, false}) {
            ServiceInstance<ShopPayload> si = ServiceInstance.<ShopPayload>builder().name("web").id("i-1")
                    .address("10.0.0.5").port(8080).payload(new ShopPayload("eu-1a", 250, "")).build();
            byte[] bytes = new JsonInstanceSerializer<>(ShopPayload.class, compatible).serialize(si);
            assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"@class\"");
            ServiceInstanceCodec.Result r = ServiceInstanceCodec.decode("i-1", bytes);
            assertThat(r).isEqualTo(new ServiceInstanceCodec.Accepted(new Backend("i-1", "10.0.0.5", 8080,
                    Locality.ofZone("eu-1a"), 250, BackendOrigin.ZOOKEEPER, true)));
        }
    }

    @Test
    void missingPayloadFieldsTakeDefaults() {
        Backend b = accepted("x", "{\"address\":\"h\",\"port\":1}");
        assertThat(b.id()).isEqualTo("x");
        assertThat(b.locality()).isEqualTo(Locality.NONE);
        assertThat(b.weight()).isEqualTo(100);
        assertThat(b.enabled()).isTrue();
        assertThat(accepted("x", "{\"id\":\"x\",\"address\":\"h\",\"port\":1,\"payload\":null}").weight()).isEqualTo(100);
        assertThat(accepted("x", "{\"address\":\"h\",\"port\":1,\"payload\":{}}").weight()).isEqualTo(100);
    }

    @Test
    void readsPlainMapsWrappedPayloadsAndSpringMetadata() {
        Backend plain = accepted("a", """
                {"address":"h","port":"81","payload":{"zone":"z1","region":"r1","rack":"k1","weight":"7"}}""");
        assertThat(plain.locality()).isEqualTo(new Locality("z1", "r1", "k1"));
        assertThat(plain.port()).isEqualTo(81);
        assertThat(plain.weight()).isEqualTo(7);

        Backend wrapped = accepted("a", """
                {"address":"h","port":1,"payload":["com.example.P",{"zone":"z2","weight":3}]}""");
        assertThat(wrapped.zone()).isEqualTo("z2");
        assertThat(wrapped.weight()).isEqualTo(3);

        Backend spring = accepted("a", """
                {"name":"shop","id":"a","address":"h","port":1,"sslPort":null,
                 "payload":{"@class":"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance",
                            "id":"shop-1","name":"shop","metadata":{"zone":"z3","weight":"40","instance_status":"UP"}},
                 "registrationTimeUTC":1,"serviceType":"DYNAMIC","uriSpec":{"parts":[]}}""");
        assertThat(spring.zone()).isEqualTo("z3");
        assertThat(spring.weight()).isEqualTo(40);
        assertThat(spring.locality().region()).isEmpty();

        Backend springRegion = accepted("a", """
                {"name":"shop","id":"a","address":"h","port":1,
                 "payload":{"@class":"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance",
                            "id":"shop-1","name":"shop","metadata":{"zone":"eu-west-1a","region":"eu-west"}}}""");
        assertThat(springRegion.locality()).isEqualTo(new Locality("eu-west-1a", "eu-west", ""));

        Backend ownRegionWins = accepted("a", """
                {"address":"h","port":1,"payload":{"region":"us-east","metadata":{"region":"eu-west"}}}""");
        assertThat(ownRegionWins.locality().region()).isEqualTo("us-east");

        assertThat(accepted("a", "{\"address\":\"h\",\"port\":1,\"payload\":\"just text\"}").weight()).isEqualTo(100);
    }

    @Test
    void enabledFalseIsDrainedAndSslPortStandsInForAMissingPort() {
        assertThat(accepted("a", "{\"address\":\"h\",\"port\":1,\"enabled\":false}").enabled()).isFalse();
        assertThat(accepted("a", "{\"address\":\"h\",\"port\":null,\"sslPort\":8443}").port()).isEqualTo(8443);
    }

    @Test
    void rejectsWithAReasonNamingValueAndExpectation() {
        assertThat(rejected("a", new byte[0])).contains("empty body");
        assertThat(rejected("a", (byte[]) null)).contains("empty body");
        assertThat(rejected("a", "   ")).contains("blank body");
        assertThat(rejected("a", "hello")).startsWith("not JSON");
        assertThat(rejected("a", "{\"address\":\"h\",\"port\":1} trailing")).startsWith("not JSON");
        assertThat(rejected("a", "[1,2]")).contains("JSON array [1,2]").contains("expected: a Curator ServiceInstance");
        assertThat(rejected("a", "{\"port\":1}")).contains("address: missing");
        assertThat(rejected("a", "{\"address\":{\"x\":1},\"port\":1}")).contains("address: {\"x\":1} (expected: a string)");
        assertThat(rejected("a", "{\"address\":\"h\"}")).contains("port: missing");
        assertThat(rejected("a", "{\"address\":\"h\",\"port\":70000}")).isEqualTo("port: 70000 (expected: 1-65535)");
        assertThat(rejected("a", "{\"address\":\"h\",\"port\":1,\"payload\":{\"weight\":0}}"))
                .isEqualTo("payload.weight: 0 (expected: an integer 1-10000)");
        assertThat(rejected("a", "{\"address\":\"h\",\"port\":1,\"payload\":{\"weight\":10001}}"))
                .contains("10001");
        assertThat(rejected("a", "{\"address\":\"h\",\"port\":1,\"payload\":{\"weight\":\"heavy\"}}"))
                .contains("\"heavy\"");
        assertThat(rejected("a", "{\"address\":\"h\",\"port\":1,\"enabled\":\"maybe\"}")).contains("enabled");
        assertThat(rejected("a", "{\"id\":\"b\",\"address\":\"h\",\"port\":1}"))
                .contains("id: 'b' (expected: the node name 'a'");
        assertThat(rejected("a", "{\"address\":\"h\",\"port\":1,\"payload\":{\"zone\":[\"a\"]}}"))
                .contains("payload.zone");
    }

    @Test
    void hugeBodiesAreRejectedUnreadAndLongValuesAreCutInReasons() {
        byte[] huge = new byte[ServiceInstanceCodec.MAX_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) '{'); // would be a deep-nesting bomb if parsed
        assertThat(rejected("a", huge)).isEqualTo("body of 65537 bytes (expected: at most 65536)");
        String longAddress = "x".repeat(1000);
        assertThat(rejected("a", "{\"address\":\"" + longAddress + "\",\"port\":1}").length()).isLessThan(200);
        assertThat(rejected("a", "{\"address\":\"h\",\"port\":\"" + "9".repeat(500) + "\"}").length()).isLessThan(200);
    }

    @Test
    void neverThrowsOnArbitraryBytes() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            assertThat(ServiceInstanceCodec.decode("n", b)).isNotNull();
        }
        for (String s : Map.of("a", "{\"address\":\"h\",\"port\":1,\"payload\":{\"metadata\":[1]}}",
                "b", "{\"address\":\"h\",\"port\":-1}", "c", "{\"address\":\"h\",\"port\":1.5}",
                "d", "{\"address\":\"h\",\"port\":true}", "e", "null", "f", "\"str\"").values()) {
            assertThat(ServiceInstanceCodec.decode("n", s.getBytes(StandardCharsets.UTF_8))).isNotNull();
        }
    }
}
