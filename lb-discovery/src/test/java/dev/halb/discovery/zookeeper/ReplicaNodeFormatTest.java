package dev.halb.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A replica node's JSON, both ways: each VIP's client address is written, and nodes without it still read. */
class ReplicaNodeFormatTest {

    @Test
    void vipsCarryTheirClientAddressAndReadBackTheSame() throws Exception {
        ReplicaInfo info = new ReplicaInfo("r1", "a", "", "10.0.0.1", "10.0.0.1:9990",
                List.of(new ReplicaInfo.VipBind("web", "0.0.0.0:8080", "10.0.0.1")), "2030-01-01T00:00:00Z");
        byte[] json = ReplicaRegistry.encode(info);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .contains("\"vips\":[{\"name\":\"web\",\"bind\":\"0.0.0.0:8080\",\"address\":\"10.0.0.1\"}]");
        assertThat(ReplicaRegistry.decode("r1", json)).isEqualTo(info);
    }

    @Test
    void anOlderNodeWithoutAddressesIsReadAsBefore() throws Exception {
        String old = "{\"id\":\"r0\",\"zone\":\"b\",\"address\":\"10.0.0.9\",\"admin\":\"10.0.0.9:9990\","
                + "\"vips\":[{\"name\":\"web\",\"bind\":\"0.0.0.0:8080\"}],\"startedAt\":\"x\"}";
        ReplicaInfo info = ReplicaRegistry.decode("r0", old.getBytes(StandardCharsets.UTF_8));
        assertThat(info.vips()).containsExactly(new ReplicaInfo.VipBind("web", "0.0.0.0:8080", ""));
        assertThat(info.zone()).isEqualTo("b");
    }
}
