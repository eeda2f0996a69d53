package dev.halb.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halb.core.config.AdminConfig;
import dev.halb.core.config.BackendConfig;
import dev.halb.core.config.BindAddress;
import dev.halb.core.config.DiscoveryConfig;
import dev.halb.core.config.DnsConfig;
import dev.halb.core.config.DrainConfig;
import dev.halb.core.config.HalbConfig;
import dev.halb.core.config.HealthCheckConfig;
import dev.halb.core.config.HealthCheckType;
import dev.halb.core.config.PeersConfig;
import dev.halb.core.config.ReplicaConfig;
import dev.halb.core.config.VipConfig;
import dev.halb.core.config.ZooKeeperConfig;
import dev.halb.core.replica.Replica;
import dev.halb.core.testing.AdminJson;
import dev.halb.core.testing.Clients;
import dev.halb.core.testing.DnsClient;
import dev.halb.core.testing.EchoClient;
import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.TestBackend;
import dev.halb.core.testing.TestConfigs;
import dev.halb.discovery.testing.ZooKeeperServerExtension;
import io.netty.handler.codec.dns.DnsRecordType;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three replicas on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (one VIP port, one real ZooKeeper) asked
 * by a DNS client halb did not write, over UDP and over TCP; and the zone shares following the
 * peer probes while ZooKeeper still lists a dead replica.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DnsEndToEndTest {

    private static final String DOMAIN = "halb.internal";
    private static final PeersConfig FAST_PEERS = new PeersConfig(200, 200, 2);

    @RegisterExtension
    final ZooKeeperServerExtension zk = new ZooKeeperServerExtension();

    private static HalbConfig config(String id, String zone, String host, int vipPort, String connect,
                                     List<BackendConfig> backends) {
        VipConfig web = TestConfigs.withHealthCheck(VipConfig.of("web", new BindAddress(host, vipPort), backends),
                new HealthCheckConfig(HealthCheckType.NONE, "/health", 0, 1000, 500, 2, 2));
        return new HalbConfig(new ReplicaConfig(id, zone, ""),
                new DiscoveryConfig(new ZooKeeperConfig(connect, "/halb", 10_000, 3_000, "")),
                new AdminConfig(new BindAddress(host, 0), "secret"), List.of(web), new DrainConfig(0, 2_000),
                new DnsConfig(new BindAddress(host, 0), DOMAIN, 5), FAST_PEERS, null);
    }

    private List<Replica> threeReplicas(int vipPort) throws Exception {
        List<BackendConfig> backends = List.of(new BackendConfig("127.0.0.1", FreePorts.next(), "", "", "", 100));
        List<Replica> replicas = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            replicas.add(zk.track(Replica.start(config("r" + i, "", "127.0.0." + i, vipPort, zk.connectString(),
                    backends), Replica.Options.defaults())));
        }
        return replicas;
    }

    @Test
    void threeReplicasAnswerWithAllThreeOverUdpAndTcp() throws Exception {
        int port = FreePorts.next();
        List<Replica> replicas = threeReplicas(port);
        InetSocketAddress dns = replicas.get(0).dnsAddress();
        assertThat(dns.getAddress().getHostAddress()).isEqualTo("127.0.0.1");

        try (DnsClient udp = DnsClient.udp(dns); DnsClient tcp = DnsClient.tcp(replicas.get(1).dnsAddress())) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(udp.resolve("web." + DOMAIN)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2",
                            "127.0.0.3"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(tcp.resolve("web." + DOMAIN)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2",
                            "127.0.0.3"));
            // The asked replica's own address comes first in one query out of three or more: rotated.
            List<String> firsts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                firsts.add(udp.resolve("web." + DOMAIN).get(0));
            }
            assertThat(firsts).contains("127.0.0.1", "127.0.0.2", "127.0.0.3");

            for (DnsClient client : List.of(udp, tcp)) {
                DnsClient.Reply srv = client.query("_web._tcp." + DOMAIN + ".", DnsRecordType.SRV);
                assertThat(srv.code()).isEqualTo("NOERROR(0)");
                assertThat(srv.authoritative()).isTrue();
                assertThat(srv.answers()).containsExactlyInAnyOrder(
                        "SRV 10 100 " + port + " r1.replicas." + DOMAIN + ".",
                        "SRV 10 100 " + port + " r2.replicas." + DOMAIN + ".",
                        "SRV 10 100 " + port + " r3.replicas." + DOMAIN + ".");
                assertThat(client.resolve("r2.replicas." + DOMAIN)).containsExactly("127.0.0.2");

                DnsClient.Reply nx = client.query("nope." + DOMAIN + ".", DnsRecordType.A);
                assertThat(nx.code()).isEqualTo("NXDOMAIN(3)");
                assertThat(nx.authority()).containsExactly("SOA");

                DnsClient.Reply refused = client.query("example.com.", DnsRecordType.A);
                assertThat(refused.code()).isEqualTo("REFUSED(5)");
                assertThat(refused.answers()).isEmpty();

                DnsClient.Reply noData = client.query("web." + DOMAIN + ".", DnsRecordType.AAAA);
                assertThat(noData.code()).isEqualTo("NOERROR(0)");
                assertThat(noData.answers()).isEmpty();
                assertThat(noData.authority()).containsExactly("SOA");

                DnsClient.Reply soa = client.query(DOMAIN + ".", DnsRecordType.SOA);
                assertThat(soa.answers()).containsExactly("SOA");
                DnsClient.Reply ns = client.query(DOMAIN + ".", DnsRecordType.NS);
                assertThat(ns.answers()).hasSize(3);
                assertThat(ns.additional()).contains("A 127.0.0.1", "A 127.0.0.2", "A 127.0.0.3");
            }

            garbageGetsFormerrOrNothingAndTheResponderCarriesOn(dns);
            assertThat(udp.resolve("web." + DOMAIN)).hasSize(3);
        }
        InetSocketAddress admin1 = replicas.get(0).adminAddress();
        InetSocketAddress admin2 = replicas.get(1).adminAddress();
        assertThat(AdminJson.metric(admin1, queries("udp", "nxdomain"))).isEqualTo(1.0);
        assertThat(AdminJson.metric(admin1, queries("udp", "refused"))).isEqualTo(1.0);
        assertThat(AdminJson.metric(admin1, queries("udp", "formerr"))).isGreaterThan(1.0);
        assertThat(AdminJson.metric(admin1, "halb_dns_dropped_total")).isPositive();
        assertThat(AdminJson.metric(admin2, queries("tcp", "nxdomain"))).isEqualTo(1.0);
        assertThat(AdminJson.metric(admin2, queries("tcp", "noerror"))).isGreaterThan(5.0);
        // The proxy never noticed: its VIP is still bound on all three.
        for (Replica r : replicas) {
            assertThat(r.vipAddress("web").getPort()).isEqualTo(port);
        }
    }

    /**
     * Two threads flood the responder with garbage and queries, unread, as fast as they can send
     * (bounded: 200 000 datagrams each), while clients go through the VIP and ask the admin API:
     * every one of them is served.
     */
    @Test
    void aFloodOfDatagramsHurtsNeitherTheProxyNorTheAdminApi() throws Exception {
        try (TestBackend echo = TestBackend.echo()) {
            List<BackendConfig> backends = List.of(new BackendConfig("127.0.0.1", echo.port(), "", "", "", 100));
            Replica r = zk.track(Replica.start(config("r1", "", "127.0.0.1", 0, zk.connectString(), backends),
                    Replica.Options.defaults()));
            InetSocketAddress dns = r.dnsAddress();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> flooders = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int seed = t;
                Thread thread = new Thread(() -> flood(dns, seed, stop), "dns-flood-" + t);
                thread.setDaemon(true);
                thread.start();
                flooders.add(thread);
            }
            try {
                InetSocketAddress vip = r.vipAddress("web");
                for (int i = 0; i < 300; i++) {
                    EchoClient.once(vip);
                }
                assertThat(Clients.get(r.adminAddress(), "/health").statusCode()).isEqualTo(200);
            } finally {
                stop.set(true);
                for (Thread t : flooders) {
                    t.join(10_000);
                }
            }
            try (DnsClient udp = DnsClient.udp(dns)) {
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .untilAsserted(() -> assertThat(udp.resolve("web." + DOMAIN)).containsExactly("127.0.0.1"));
            }
        }
    }

    private static void flood(InetSocketAddress dns, int seed, AtomicBoolean stop) {
        Random random = new Random(seed);
        byte[] query = {0, 1, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
                3, 'w', 'e', 'b', 4, 'h', 'a', 'l', 'b', 8, 'i', 'n', 't', 'e', 'r', 'n', 'a', 'l', 0, 0, 1, 0, 1};
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            for (int i = 0; i < 200_000 && !stop.get(); i++) {
                byte[] junk;
                if (i % 2 == 0) {
                    junk = query;
                } else {
                    junk = new byte[random.nextInt(600)];
                    random.nextBytes(junk);
                }
                socket.send(new DatagramPacket(junk, junk.length, dns));
            }
        } catch (IOException e) {
            // the test's own socket: nothing to learn from it
        }
    }

    private static void garbageGetsFormerrOrNothingAndTheResponderCarriesOn(InetSocketAddress dns) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(3_000);
            Random random = new Random(7);
            for (int i = 0; i < 500; i++) {
                byte[] junk = new byte[3 + random.nextInt(100)];
                random.nextBytes(junk);
                junk[2] &= 0x7f; // a query, not a response: most of these get FORMERR back
                socket.send(new DatagramPacket(junk, junk.length, dns));
            }
            // A header that promises a question it does not carry: FORMERR, with its id.
            byte[] bad = {0x4a, 0x4b, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x03, 'w', 'e'};
            socket.send(new DatagramPacket(bad, bad.length, dns));
            byte[] buf = new byte[1500];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            boolean found = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!found && System.nanoTime() < deadline) {
                socket.receive(reply);
                found = buf[0] == 0x4a && buf[1] == 0x4b;
            }
            assertThat(found).as("a reply to the malformed query").isTrue();
            assertThat(buf[2] & 0x80).as("QR").isEqualTo(0x80);
            assertThat(buf[3] & 0x0f).as("RCODE").isEqualTo(1); // FORMERR
        }
    }

    /**
     * Backends in zones a, b, b (U_a = 1/3). Replicas r1 in a, r2 and r3 in b; r3 is a node the
     * test writes and an HTTP server standing in for its admin API. While r3 serves, L_a = 1/3 and
     * r1 keeps everything local; once r1's probes find r3 dead, L_a = 1/2 and r1 keeps U_a/L_a = 2/3
     * local, though ZooKeeper still lists r3. When it answers again, r1 goes back to local only.
     */
    @Test
    void zoneSharesFollowThePeerProbesWithoutWaitingForZooKeeper() throws Exception {
        List<BackendConfig> backends = List.of(
                new BackendConfig("127.0.0.1", 9001, "a", "", "", 100),
                new BackendConfig("127.0.0.1", 9002, "b", "", "", 100),
                new BackendConfig("127.0.0.1", 9003, "b", "", "", 100));
        int port = FreePorts.next();
        Replica r1 = zk.track(Replica.start(config("r1", "a", "127.0.0.1", port, zk.connectString(), backends),
                Replica.Options.defaults()));
        zk.track(Replica.start(config("r2", "b", "127.0.0.2", port, zk.connectString(), backends),
                Replica.Options.defaults()));
        TestBackend r3Admin = TestBackend.http(200, "r3-admin");
        int r3AdminPort = r3Admin.port();
        CuratorFramework client = zk.plainClient();
        String node = "{\"id\":\"r3\",\"zone\":\"b\",\"address\":\"127.0.0.3\",\"admin\":\"127.0.0.1:" + r3AdminPort
                + "\",\"vips\":[{\"name\":\"web\",\"bind\":\"127.0.0.3:" + port + "\",\"address\":\"127.0.0.3\"}]}";
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath("/halb/replicas/r3", node.getBytes(StandardCharsets.UTF_8));
        InetSocketAddress admin = r1.adminAddress();

        await().atMost(Duration.ofSeconds(20)).until(() -> AdminJson.replicaIds(admin).size() == 3
                && zoneMode(admin).equals("local_only"));
        assertThat(state(admin, "r3")).isEqualTo("serving");

        r3Admin.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> zoneMode(admin).equals("proportional"));
        assertThat(AdminJson.vip(admin, "web").get("zoneRouting").get("split").get("a").asDouble())
                .isCloseTo(2.0 / 3, Offset.offset(0.01));
        assertThat(client.checkExists().forPath("/halb/replicas/r3")).as("r3 still registered").isNotNull();
        assertThat(state(admin, "r3")).isEqualTo("down");
        assertThat(AdminJson.metric(admin, "halb_peer_up\\{peer=\"r3\",?\\}")).isEqualTo(0.0);
        assertThat(AdminJson.metric(admin, "halb_peer_up\\{peer=\"r2\",?\\}")).isEqualTo(1.0);
        try (DnsClient udp = DnsClient.udp(r1.dnsAddress())) {
            assertThat(udp.resolve("web." + DOMAIN)).containsExactly("127.0.0.1", "127.0.0.2");
        }

        try (TestBackend back = TestBackend.httpOn(r3AdminPort, 200, "r3-admin")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> zoneMode(admin).equals("local_only"));
            assertThat(state(admin, "r3")).isEqualTo("serving");
            back.setHttpStatus(503);
            await().atMost(Duration.ofSeconds(20)).until(() -> state(admin, "r3").equals("draining"));
            assertThat(zoneMode(admin)).isEqualTo("proportional");
        }
    }

    private static String queries(String transport, String rcode) {
        return "halb_dns_queries_total\\{transport=\"" + transport + "\",rcode=\"" + rcode + "\",?\\}";
    }

    private static String zoneMode(InetSocketAddress admin) {
        return AdminJson.vip(admin, "web").get("zoneRouting").get("mode").asText();
    }

    private static String state(InetSocketAddress admin, String id) {
        for (JsonNode r : AdminJson.get(admin, "/api/v1/replicas")) {
            if (r.get("id").asText().equals(id)) {
                return r.get("state").asText();
            }
        }
        return "absent";
    }
}
