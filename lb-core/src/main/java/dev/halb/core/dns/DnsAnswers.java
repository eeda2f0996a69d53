package dev.halb.core.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The answer to one question, from one {@link DnsView}: pure, no I/O.
 *
 * <pre>
 *   outside the domain (or class not IN, or a zone transfer)  REFUSED, not authoritative
 *   &lt;domain&gt;                 SOA; NS = every serving replica's name, with its addresses as glue
 *   &lt;vip&gt;.&lt;domain&gt;           A / AAAA = the VIP's client address on each serving replica
 *   _&lt;vip&gt;._tcp.&lt;domain&gt;     SRV = one per serving replica: the VIP's port, target below
 *   &lt;id&gt;.replicas.&lt;domain&gt;   A / AAAA = the addresses of that serving replica's VIPs
 *   replicas.&lt;domain&gt;, or a name above with no record of the type asked   NODATA (SOA in authority)
 *   anything else in the domain                                        NXDOMAIN (SOA in authority)
 * </pre>
 *
 * Order: this replica's zone first, then the other zones by name; within each zone the replicas
 * are rotated by the query's {@code rotation}, so that clients taking the first address spread
 * over the replicas of the nearest zone. A client address two replicas share is given once.
 * SRV says the same with priorities: 10 for this replica's zone, 20 for the others.
 */
final class DnsAnswers {

    /** Records of one response; their contents are unpooled heap buffers that need no release. */
    record Answer(DnsResponseCode code, boolean authoritative, List<DnsRecord> answers, List<DnsRecord> authority,
                  List<DnsRecord> additional) {

        /** The encoded size of a response with this question and these records (Netty does not compress names). */
        int wireSize(DnsQuestion question, boolean withOpt) {
            int size = 12 + nameLength(question.name()) + 4 + (withOpt ? 11 : 0);
            for (List<DnsRecord> section : List.of(answers, authority, additional)) {
                for (DnsRecord r : section) {
                    size += nameLength(r.name()) + 10 + ((DefaultDnsRawRecord) r).content().readableBytes();
                }
            }
            return size;
        }
    }

    static final int SRV_PRIORITY_LOCAL = 10;
    static final int SRV_PRIORITY_OTHER = 20;
    static final int SRV_WEIGHT = 100;
    private static final String REPLICAS = "replicas";

    private final String domain;
    private final String apex;
    private final long ttl;

    /** @param domain lower case, without the trailing dot */
    DnsAnswers(String domain, int ttlSeconds) {
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.apex = this.domain + ".";
        this.ttl = ttlSeconds;
    }

    Answer answer(DnsQuestion q, DnsView view, int rotation) {
        String name = q.name().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        DnsRecordType type = q.type();
        if (q.dnsClass() != DnsRecord.CLASS_IN && q.dnsClass() != DnsRecord.CLASS_ANY
                || type == DnsRecordType.AXFR || type == DnsRecordType.IXFR
                || !(name.equals(domain) || name.endsWith("." + domain))) {
            return new Answer(DnsResponseCode.REFUSED, false, List.of(), List.of(), List.of());
        }
        String relative = name.equals(domain) ? "" : name.substring(0, name.length() - domain.length() - 1);
        if (relative.isEmpty()) {
            return apex(q, type, view);
        }
        String[] labels = relative.split("\\.", -1);
        if (labels.length == 1 && labels[0].equals(REPLICAS)) {
            return noData(view);
        }
        if (labels.length == 1 && view.vipNames().contains(labels[0])) {
            return vip(q, type, labels[0], view, rotation);
        }
        if (labels.length == 2 && labels[1].equals("_tcp") && labels[0].startsWith("_")
                && view.vipNames().contains(labels[0].substring(1))) {
            return srv(q, type, labels[0].substring(1), view, rotation);
        }
        if (relative.endsWith("." + REPLICAS)) {
            // A replica id may hold dots (a host name): everything before ".replicas" is the id.
            DnsView.Replica r = view.servingReplica(relative.substring(0, relative.length() - REPLICAS.length() - 1));
            if (r != null) {
                List<DnsRecord> answers = new ArrayList<>();
                addresses(q.name(), type, replicaAddresses(r), answers);
                return answers.isEmpty() ? noData(view) : found(answers, List.of());
            }
        }
        return new Answer(DnsResponseCode.NXDOMAIN, true, List.of(), List.of(soa(view)), List.of());
    }

    private Answer apex(DnsQuestion q, DnsRecordType type, DnsView view) {
        List<DnsRecord> answers = new ArrayList<>();
        List<DnsRecord> additional = new ArrayList<>();
        if (type == DnsRecordType.SOA || type == DnsRecordType.ANY) {
            answers.add(soa(view));
        }
        if (type == DnsRecordType.NS || type == DnsRecordType.ANY) {
            for (DnsView.Replica r : view.serving()) {
                String target = replicaName(r);
                answers.add(record(q.name(), DnsRecordType.NS, encodeName(target)));
                addresses(target, DnsRecordType.ANY, replicaAddresses(r), additional);
            }
        }
        return answers.isEmpty() ? noData(view) : found(answers, additional);
    }

    private Answer vip(DnsQuestion q, DnsRecordType type, String vip, DnsView view, int rotation) {
        Set<byte[]> seen = new TreeSet<>(Arrays::compare);
        List<byte[]> ordered = new ArrayList<>();
        for (DnsView.Replica r : ordered(view, rotation)) {
            DnsView.Endpoint e = r.vips().get(vip);
            if (e != null && seen.add(e.address())) {
                ordered.add(e.address());
            }
        }
        List<DnsRecord> answers = new ArrayList<>();
        addresses(q.name(), type, ordered, answers);
        return answers.isEmpty() ? noData(view) : found(answers, List.of());
    }

    private Answer srv(DnsQuestion q, DnsRecordType type, String vip, DnsView view, int rotation) {
        if (type != DnsRecordType.SRV && type != DnsRecordType.ANY) {
            return noData(view);
        }
        List<DnsRecord> answers = new ArrayList<>();
        List<DnsRecord> additional = new ArrayList<>();
        for (DnsView.Replica r : ordered(view, rotation)) {
            DnsView.Endpoint e = r.vips().get(vip);
            if (e == null) {
                continue;
            }
            int priority = !view.selfZone().isEmpty() && !view.selfZone().equals(r.zone())
                    ? SRV_PRIORITY_OTHER : SRV_PRIORITY_LOCAL;
            String target = replicaName(r);
            byte[] encodedTarget = encodeName(target);
            ByteBuf rdata = Unpooled.buffer(6 + encodedTarget.length);
            rdata.writeShort(priority).writeShort(SRV_WEIGHT).writeShort(e.port()).writeBytes(encodedTarget);
            answers.add(new DefaultDnsRawRecord(q.name(), DnsRecordType.SRV, ttl, rdata));
            addresses(target, DnsRecordType.ANY, replicaAddresses(r), additional);
        }
        return answers.isEmpty() ? noData(view) : found(answers, additional);
    }

    /** The serving replicas: this zone first, then the other zones by name, each zone rotated. */
    static List<DnsView.Replica> ordered(DnsView view, int rotation) {
        Map<String, List<DnsView.Replica>> byZone = new TreeMap<>();
        for (DnsView.Replica r : view.serving()) {
            byZone.computeIfAbsent(r.zone(), z -> new ArrayList<>()).add(r);
        }
        List<DnsView.Replica> out = new ArrayList<>(view.serving().size());
        List<DnsView.Replica> local = view.selfZone().isEmpty() ? null : byZone.remove(view.selfZone());
        if (local != null) {
            rotateInto(local, rotation, out);
        }
        for (List<DnsView.Replica> zone : byZone.values()) {
            rotateInto(zone, rotation, out);
        }
        return out;
    }

    private static void rotateInto(List<DnsView.Replica> zone, int rotation, List<DnsView.Replica> out) {
        int start = Math.floorMod(rotation, zone.size());
        for (int i = 0; i < zone.size(); i++) {
            out.add(zone.get((start + i) % zone.size()));
        }
    }

    private static List<byte[]> replicaAddresses(DnsView.Replica r) {
        Set<byte[]> seen = new TreeSet<>(Arrays::compare);
        List<byte[]> out = new ArrayList<>();
        for (DnsView.Endpoint e : r.vips().values()) {
            if (seen.add(e.address())) {
                out.add(e.address());
            }
        }
        return out;
    }

    /** A/AAAA records for {@code name} from {@code addresses}, as {@code type} asks (ANY: both). */
    private void addresses(String name, DnsRecordType type, List<byte[]> addresses, List<DnsRecord> out) {
        for (byte[] a : addresses) {
            boolean v4 = a.length == 4;
            if (v4 && (type == DnsRecordType.A || type == DnsRecordType.ANY)) {
                out.add(record(name, DnsRecordType.A, a));
            } else if (!v4 && (type == DnsRecordType.AAAA || type == DnsRecordType.ANY)) {
                out.add(record(name, DnsRecordType.AAAA, a));
            }
        }
    }

    private static Answer found(List<DnsRecord> answers, List<DnsRecord> additional) {
        return new Answer(DnsResponseCode.NOERROR, true, answers, List.of(), additional);
    }

    private Answer noData(DnsView view) {
        return new Answer(DnsResponseCode.NOERROR, true, List.of(), List.of(soa(view)), List.of());
    }

    /**
     * The apex SOA: primary = this replica, mailbox {@code hostmaster.<domain>}; refresh, retry and
     * expire only matter to secondaries (there are none: every replica is a primary); minimum, the
     * TTL of negative answers, is the configured TTL.
     */
    private DnsRecord soa(DnsView view) {
        byte[] mname = encodeName(view.selfId() + "." + REPLICAS + "." + apex);
        byte[] rname = encodeName("hostmaster." + apex);
        ByteBuf rdata = Unpooled.buffer(mname.length + rname.length + 20);
        rdata.writeBytes(mname).writeBytes(rname)
                .writeInt((int) view.serial())
                .writeInt(60)
                .writeInt(10)
                .writeInt(600)
                .writeInt((int) ttl);
        return new DefaultDnsRawRecord(apex, DnsRecordType.SOA, ttl, rdata);
    }

    private String replicaName(DnsView.Replica r) {
        return r.id() + "." + REPLICAS + "." + apex;
    }

    private DnsRecord record(String name, DnsRecordType type, byte[] rdata) {
        return new DefaultDnsRawRecord(name, type, ttl, Unpooled.wrappedBuffer(rdata));
    }

    /** A name in wire format, uncompressed: each label's length and bytes, then the root. */
    static byte[] encodeName(String name) {
        ByteBuf out = Unpooled.buffer(name.length() + 2);
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) {
                continue;
            }
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.writeByte(bytes.length).writeBytes(bytes);
        }
        out.writeByte(0);
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    /** What {@link #encodeName} writes for {@code name}, in bytes. */
    static int nameLength(String name) {
        int n = 1;
        for (String label : name.split("\\.")) {
            if (!label.isEmpty()) {
                n += label.length() + 1;
            }
        }
        return n;
    }
}
