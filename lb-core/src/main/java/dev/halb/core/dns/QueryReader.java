package dev.halb.core.dns;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads one query message leniently, at the edge: never throws. Netty's query decoders throw on
 * bad input and lose the message id, so the header is read here and the sections with Netty's
 * {@link DnsRecordDecoder}; whatever goes wrong becomes a {@link Refused} with the code to answer.
 *
 * <ul>
 *   <li>shorter than a header, or a response (QR set): {@code null}, nothing to answer (answering
 *       responses could loop two servers into each other);</li>
 *   <li>an opcode other than QUERY: NOTIMP;</li>
 *   <li>not exactly one question, or a section that does not decode: FORMERR.</li>
 * </ul>
 */
final class QueryReader {

    static final int HEADER_BYTES = 12;
    /** The UDP payload a client may receive without EDNS. */
    static final int CLASSIC_UDP_PAYLOAD = 512;

    private QueryReader() {
    }

    /** A query to answer. {@code udpPayload}: the client's EDNS payload size, or -1 without EDNS. */
    record Query(int id, boolean recursionDesired, DnsQuestion question, int udpPayload) {
    }

    /** A message answered with {@code code} and no records. */
    record Refused(int id, DnsOpCode opCode, DnsResponseCode code, String reason) {
    }

    /** @return a {@link Query}, a {@link Refused}, or {@code null} to drop */
    static Object read(ByteBuf in) {
        if (in.readableBytes() < HEADER_BYTES) {
            return null;
        }
        int id = in.readUnsignedShort();
        int flags = in.readUnsignedShort();
        int qd = in.readUnsignedShort();
        int an = in.readUnsignedShort();
        int ns = in.readUnsignedShort();
        int ar = in.readUnsignedShort();
        if ((flags >> 15) != 0) {
            return null;
        }
        int opcode = (flags >> 11) & 0xf;
        if (opcode != DnsOpCode.QUERY.byteValue()) {
            return new Refused(id, DnsOpCode.valueOf(opcode), DnsResponseCode.NOTIMP, "opcode " + opcode);
        }
        boolean rd = (flags & 0x0100) != 0;
        if (qd != 1) {
            return new Refused(id, DnsOpCode.QUERY, DnsResponseCode.FORMERR, qd + " questions (expected: 1)");
        }
        DnsQuestion question;
        int payload = -1;
        try {
            question = DnsRecordDecoder.DEFAULT.decodeQuestion(in);
            for (int i = 0; i < an + ns + ar; i++) {
                DnsRecord r = DnsRecordDecoder.DEFAULT.decodeRecord(in);
                if (r == null) {
                    return new Refused(id, DnsOpCode.QUERY, DnsResponseCode.FORMERR, "truncated record");
                }
                if (r.type() == DnsRecordType.OPT) {
                    // EDNS: the OPT record's class is the client's UDP payload size.
                    payload = r.dnsClass();
                }
                ReferenceCountUtil.release(r);
            }
        } catch (Exception e) {
            return new Refused(id, DnsOpCode.QUERY, DnsResponseCode.FORMERR, "undecodable: " + e.getMessage());
        }
        return new Query(id, rd, question, payload);
    }

    /** How big a UDP answer to {@code q} may be: 512 bytes without EDNS, else what the client said, within bounds. */
    static int udpLimit(Query q, int ourPayload) {
        return q.udpPayload() < 0 ? CLASSIC_UDP_PAYLOAD
                : Math.max(CLASSIC_UDP_PAYLOAD, Math.min(q.udpPayload(), ourPayload));
    }
}
