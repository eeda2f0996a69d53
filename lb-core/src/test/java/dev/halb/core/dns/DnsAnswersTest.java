package dev.halb.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halb.core.peers.PeerState;
import dev.halb.core.peers.PeerStates;
import dev.halb.discovery.zookeeper.ReplicaInfo;
import dev.halb.discovery.zookeeper.ReplicaSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The answers, from a hand-made view: no socket, no ZooKeeper. */
class DnsAnswersTest {

    private static final DnsAnswers ANSWERS = new DnsAnswers("halb.internal", 5);

    /** r1 (this one) and r2 in zone a, r3 in zone b; each serves web, r3 serves api too. */
    private static ReplicaInfo node(String id, String zone, String address, ReplicaInfo.VipBind... vips) {
        return new ReplicaInfo(id, zone, "", address, address + ":9990", List.of(vips), "");
    }

    private static ReplicaInfo.VipBind web(String address) {
        return new ReplicaInfo.VipBind("web", "0.0.0.0:8080", address);
    }

    private static final ReplicaInfo R1 = node("r1", "a", "10.0.0.1", web("10.0.0.1"));
    private static final ReplicaInfo R2 = node("r2", "a", "10.0.0.2", web("10.0.0.2"));
    private static final ReplicaInfo R3 = node("r3", "b", "10.0.0.3", web("10.0.0.3"),
            new ReplicaInfo.VipBind("api", "10.0.0.3:9090", "10.0.0.3"));

    private static DnsView view(PeerStates peers, boolean selfServing) {
        return DnsView.of(new ReplicaSet(List.of(R1, R2, R3)), R1, selfServing, peers, Set.of("unbound"), 7);
    }

    private static final DnsView ALL = view(PeerStates.EMPTY, true);

    private static DnsAnswers.Answer ask(String name, DnsRecordType type, DnsView view, int rotation) {
        return ANSWERS.answer(new DefaultDnsQuestion(name, type), view, rotation);
    }

    private static List<String> addresses(List<DnsRecord> records) {
        List<String> out = new ArrayList<>();
        for (DnsRecord r : records) {
            ByteBuf c = ((DefaultDnsRawRecord) r).content();
            out.add(NetUtil.bytesToIpAddress(ByteBufUtil.getBytes(c)));
        }
        return out;
    }

    @Test
    void aVipAnswersEveryServingReplicaOwnZoneFirstRotatedWithinEachZone() {
        DnsAnswers.Answer first = ask("web.halb.internal.", DnsRecordType.A, ALL, 0);
        assertThat(first.code()).isEqualTo(DnsResponseCode.NOERROR);
        assertThat(first.authoritative()).isTrue();
        assertThat(addresses(first.answers())).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(first.answers().get(0).timeToLive()).isEqualTo(5);
        assertThat(addresses(ask("web.halb.internal.", DnsRecordType.A, ALL, 1).answers()))
                .containsExactly("10.0.0.2", "10.0.0.1", "10.0.0.3");
        // Names are case-insensitive; the answer keeps the name as asked.
        DnsAnswers.Answer upper = ask("WEB.Halb.Internal.", DnsRecordType.A, ALL, 2);
        assertThat(addresses(upper.answers())).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(upper.answers().get(0).name()).isEqualTo("WEB.Halb.Internal.");
    }

    @Test
    void downAndDrainingPeersAndADrainingSelfLeaveTheAnswers() {
        DnsView r2Down = view(new PeerStates(Map.of("r2", PeerState.DOWN, "r3", PeerState.SERVING)), true);
        assertThat(addresses(ask("web.halb.internal.", DnsRecordType.A, r2Down, 0).answers()))
                .containsExactly("10.0.0.1", "10.0.0.3");
        DnsView r3Draining = view(new PeerStates(Map.of("r3", PeerState.DRAINING)), true);
        assertThat(addresses(ask("web.halb.internal.", DnsRecordType.A, r3Draining, 0).answers()))
                .containsExactly("10.0.0.1", "10.0.0.2");
        DnsView selfDraining = view(PeerStates.EMPTY, false);
        assertThat(addresses(ask("web.halb.internal.", DnsRecordType.A, selfDraining, 0).answers()))
                .containsExactly("10.0.0.2", "10.0.0.3");
    }

    @Test
    void aReplicaCutOffFromEveryPeerAndFromZooKeeperAnswersWithItself() {
        DnsView alone = DnsView.of(ReplicaSet.EMPTY, R1, true,
                new PeerStates(Map.of("r2", PeerState.DOWN, "r3", PeerState.DOWN)), Set.of(), 1);
        assertThat(addresses(ask("web.halb.internal.", DnsRecordType.A, alone, 0).answers()))
                .containsExactly("10.0.0.1");
    }

    @Test
    void nodataForAKnownNameWithoutRecordsOfThatTypeNxdomainForAnUnknownOne() {
        DnsAnswers.Answer aaaa = ask("web.halb.internal.", DnsRecordType.AAAA, ALL, 0);
        assertThat(aaaa.code()).isEqualTo(DnsResponseCode.NOERROR);
        assertThat(aaaa.answers()).isEmpty();
        assertThat(aaaa.authority()).extracting(DnsRecord::type).containsExactly(DnsRecordType.SOA);

        DnsAnswers.Answer unbound = ask("unbound.halb.internal.", DnsRecordType.A, ALL, 0);
        assertThat(unbound.code()).isEqualTo(DnsResponseCode.NOERROR);
        assertThat(unbound.answers()).isEmpty();

        DnsAnswers.Answer unknown = ask("nope.halb.internal.", DnsRecordType.A, ALL, 0);
        assertThat(unknown.code()).isEqualTo(DnsResponseCode.NXDOMAIN);
        assertThat(unknown.authoritative()).isTrue();
        assertThat(unknown.authority()).extracting(DnsRecord::type).containsExactly(DnsRecordType.SOA);
        assertThat(ask("a.b.web.halb.internal.", DnsRecordType.A, ALL, 0).code()).isEqualTo(DnsResponseCode.NXDOMAIN);
    }

    @Test
    void namesOutsideTheDomainAndZoneTransfersAreRefused() {
        for (String name : List.of("example.com.", "internal.", "xhalb.internal.", ".")) {
            DnsAnswers.Answer a = ask(name, DnsRecordType.A, ALL, 0);
            assertThat(a.code()).as(name).isEqualTo(DnsResponseCode.REFUSED);
            assertThat(a.authoritative()).isFalse();
            assertThat(a.answers()).isEmpty();
        }
        assertThat(ask("halb.internal.", DnsRecordType.AXFR, ALL, 0).code()).isEqualTo(DnsResponseCode.REFUSED);
    }

    @Test
    void srvGivesOneRecordPerServingReplicaWithItsPortAndAResolvableTarget() {
        DnsAnswers.Answer srv = ask("_web._tcp.halb.internal.", DnsRecordType.SRV, ALL, 0);
        assertThat(srv.code()).isEqualTo(DnsResponseCode.NOERROR);
        List<String> rendered = new ArrayList<>();
        for (DnsRecord r : srv.answers()) {
            ByteBuf c = ((DefaultDnsRawRecord) r).content().duplicate();
            int priority = c.readUnsignedShort();
            int weight = c.readUnsignedShort();
            int port = c.readUnsignedShort();
            rendered.add(priority + " " + weight + " " + port + " " + readName(c));
        }
        assertThat(rendered).containsExactly(
                "10 100 8080 r1.replicas.halb.internal.",
                "10 100 8080 r2.replicas.halb.internal.",
                "20 100 8080 r3.replicas.halb.internal.");
        assertThat(addresses(srv.additional())).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");

        DnsAnswers.Answer api = ask("_api._tcp.halb.internal.", DnsRecordType.SRV, ALL, 0);
        assertThat(api.answers()).hasSize(1);
        assertThat(ask("_nope._tcp.halb.internal.", DnsRecordType.SRV, ALL, 0).code())
                .isEqualTo(DnsResponseCode.NXDOMAIN);
        DnsAnswers.Answer target = ask("r3.replicas.halb.internal.", DnsRecordType.A, ALL, 0);
        assertThat(addresses(target.answers())).containsExactly("10.0.0.3");
        assertThat(ask("gone.replicas.halb.internal.", DnsRecordType.A, ALL, 0).code())
                .isEqualTo(DnsResponseCode.NXDOMAIN);
    }

    @Test
    void theApexHasSoaAndNsListingTheServingReplicas() {
        DnsAnswers.Answer soa = ask("halb.internal.", DnsRecordType.SOA, ALL, 0);
        assertThat(soa.answers()).extracting(DnsRecord::type).containsExactly(DnsRecordType.SOA);
        ByteBuf c = ((DefaultDnsRawRecord) soa.answers().get(0)).content().duplicate();
        assertThat(readName(c)).isEqualTo("r1.replicas.halb.internal.");
        assertThat(readName(c)).isEqualTo("hostmaster.halb.internal.");
        assertThat(c.readInt()).isEqualTo(7);

        DnsAnswers.Answer ns = ask("halb.internal.", DnsRecordType.NS, ALL, 0);
        assertThat(ns.answers()).hasSize(3);
        List<String> targets = new ArrayList<>();
        ns.answers().forEach(r -> targets.add(readName(((DefaultDnsRawRecord) r).content().duplicate())));
        assertThat(targets).containsExactly("r1.replicas.halb.internal.", "r2.replicas.halb.internal.",
                "r3.replicas.halb.internal.");
        assertThat(addresses(ns.additional())).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(ask("halb.internal.", DnsRecordType.A, ALL, 0).answers()).isEmpty();
    }

    @Test
    void anAnswerTooBigForUdpIsTruncatedAndWholeOverTcp() {
        List<ReplicaInfo> many = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            many.add(node("replica-" + i, "", "10.0.1." + i, web("10.0.1." + i)));
        }
        DnsView big = DnsView.of(new ReplicaSet(many), many.get(0), true, PeerStates.EMPTY, Set.of(), 1);
        Responses responses = new Responses(ANSWERS, () -> big);
        DnsQuestion q = new DefaultDnsQuestion("_web._tcp.halb.internal.", DnsRecordType.SRV);
        QueryReader.Query query = new QueryReader.Query(1, true, q, -1);

        DefaultDnsResponse udp = new DefaultDnsResponse(1);
        responses.fill(udp, query, QueryReader.udpLimit(query, Responses.OUR_UDP_PAYLOAD));
        assertThat(udp.isTruncated()).isTrue();
        assertThat(udp.count(DnsSection.ANSWER)).isZero();
        udp.release();

        DefaultDnsResponse tcp = new DefaultDnsResponse(1);
        responses.fill(tcp, query, 0);
        assertThat(tcp.isTruncated()).isFalse();
        assertThat(tcp.count(DnsSection.ANSWER)).isEqualTo(60);
        tcp.release();

        // A small answer fits a classic 512-byte datagram.
        DefaultDnsResponse small = new DefaultDnsResponse(2);
        QueryReader.Query a = new QueryReader.Query(2, true, new DefaultDnsQuestion("web.halb.internal.",
                DnsRecordType.A), -1);
        new Responses(ANSWERS, () -> ALL).fill(small, a, QueryReader.udpLimit(a, Responses.OUR_UDP_PAYLOAD));
        assertThat(small.isTruncated()).isFalse();
        assertThat(small.count(DnsSection.ANSWER)).isEqualTo(3);
        small.release();
    }

    @Test
    void garbageIsDroppedOrAnsweredFormerrNeverThrown() {
        assertThat(QueryReader.read(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}))).isNull();
        // A header that claims a question it does not carry.
        byte[] header = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x05, 'a'};
        Object read = QueryReader.read(Unpooled.wrappedBuffer(header));
        assertThat(read).isInstanceOf(QueryReader.Refused.class);
        assertThat(((QueryReader.Refused) read).id()).isEqualTo(0x1234);
        assertThat(((QueryReader.Refused) read).code()).isEqualTo(DnsResponseCode.FORMERR);
        // Two questions.
        byte[] two = {0, 1, 0x01, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0};
        assertThat(((QueryReader.Refused) QueryReader.read(Unpooled.wrappedBuffer(two))).code())
                .isEqualTo(DnsResponseCode.FORMERR);
        // A response (QR set) is never answered.
        byte[] response = {0, 1, (byte) 0x81, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
        assertThat(QueryReader.read(Unpooled.wrappedBuffer(response))).isNull();
        // Random bytes of every length up to 64: none throws.
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            QueryReader.read(Unpooled.wrappedBuffer(junk));
        }
    }

    /** A query as dig 9.18 writes it: RD and AD set, an EDNS OPT record of 1232 bytes carrying a cookie. */
    @Test
    void aDigStyleQueryWithEdnsAndACookieIsReadAndAnswered() {
        byte[] dig = {
                (byte) 0xab, (byte) 0xcd, 0x01, 0x20, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x01,
                3, 'w', 'e', 'b', 4, 'h', 'a', 'l', 'b', 8, 'i', 'n', 't', 'e', 'r', 'n', 'a', 'l', 0,
                0x00, 0x01, 0x00, 0x01,
                0, 0x00, 0x29, 0x04, (byte) 0xd0, 0, 0, 0, 0, 0x00, 0x0c,
                0x00, 0x0a, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8};
        Object read = QueryReader.read(Unpooled.wrappedBuffer(dig));
        assertThat(read).isInstanceOf(QueryReader.Query.class);
        QueryReader.Query q = (QueryReader.Query) read;
        assertThat(q.id()).isEqualTo(0xabcd);
        assertThat(q.recursionDesired()).isTrue();
        assertThat(q.udpPayload()).isEqualTo(1232);
        assertThat(q.question().name()).isEqualTo("web.halb.internal.");

        DatagramDnsResponse response = new DatagramDnsResponse(
                new InetSocketAddress("127.0.0.1", 53), new InetSocketAddress("127.0.0.1", 5000),
                q.id());
        new Responses(ANSWERS, () -> ALL).fill(response, q, QueryReader.udpLimit(q, Responses.OUR_UDP_PAYLOAD));
        EmbeddedChannel channel = new EmbeddedChannel(
                new DatagramDnsResponseEncoder());
        assertThat(channel.writeOutbound(response)).isTrue();
        DatagramPacket packet = channel.readOutbound();
        EmbeddedChannel decoder = new EmbeddedChannel(
                new DatagramDnsResponseDecoder());
        decoder.writeInbound(packet);
        DnsResponse decoded = decoder.readInbound();
        assertThat(decoded.id()).isEqualTo(0xabcd);
        assertThat(decoded.isAuthoritativeAnswer()).isTrue();
        assertThat(decoded.isRecursionDesired()).isTrue();
        assertThat(decoded.count(DnsSection.QUESTION)).isEqualTo(1);
        assertThat(decoded.count(DnsSection.ANSWER)).isEqualTo(3);
        DnsRecord opt = decoded.recordAt(DnsSection.ADDITIONAL, 0);
        assertThat(opt.type()).isEqualTo(DnsRecordType.OPT);
        assertThat(opt.dnsClass()).isEqualTo(Responses.OUR_UDP_PAYLOAD);
        decoded.release();
        channel.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    private static String readName(ByteBuf c) {
        StringBuilder sb = new StringBuilder();
        int len;
        while ((len = c.readUnsignedByte()) != 0) {
            byte[] label = new byte[len];
            c.readBytes(label);
            sb.append(new String(label, StandardCharsets.US_ASCII)).append('.');
        }
        return sb.length() == 0 ? "." : sb.toString();
    }
}
