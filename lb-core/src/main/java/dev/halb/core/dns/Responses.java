package dev.halb.core.dns;

import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Turns what {@link QueryReader} read into a response message, for UDP (truncated to the
 * client's payload size, TC set, so that it retries over TCP) and TCP alike. Shared by the
 * handlers; thread-safe (the rotation counter is atomic, the view a field read).
 */
final class Responses {

    /** The UDP payload this responder offers in its OPT record: the size that avoids IP fragmentation. */
    static final int OUR_UDP_PAYLOAD = 1232;

    private final DnsAnswers answers;
    private final Supplier<DnsView> view;
    /** One step per answered query: the rotation within each zone. */
    private final AtomicInteger rotation = new AtomicInteger();

    Responses(DnsAnswers answers, Supplier<DnsView> view) {
        this.answers = answers;
        this.view = view;
    }

    /**
     * Fills {@code response} (made by the caller with the query's id, for its transport).
     *
     * @param udpLimit the largest UDP answer, or 0 over TCP
     * @return whether the answer did not fit and was left out (TC set)
     */
    boolean fill(DnsResponse response, QueryReader.Query q, int udpLimit) {
        DnsAnswers.Answer a = answers.answer(q.question(), view.get(), rotation.getAndIncrement());
        response.setCode(a.code())
                .setAuthoritativeAnswer(a.authoritative())
                .setRecursionDesired(q.recursionDesired())
                .setRecursionAvailable(false);
        response.addRecord(DnsSection.QUESTION, q.question());
        boolean opt = q.udpPayload() >= 0;
        boolean truncated = udpLimit > 0 && a.wireSize(q.question(), opt) > udpLimit;
        if (truncated) {
            // Too big for this datagram: none of it, TC set; the client asks again over TCP.
            response.setTruncated(true);
        } else {
            a.answers().forEach(r -> response.addRecord(DnsSection.ANSWER, r));
            a.authority().forEach(r -> response.addRecord(DnsSection.AUTHORITY, r));
            a.additional().forEach(r -> response.addRecord(DnsSection.ADDITIONAL, r));
        }
        if (opt) {
            response.addRecord(DnsSection.ADDITIONAL, new OptRecord(OUR_UDP_PAYLOAD));
        }
        return truncated;
    }

    static void refused(DnsResponse response, QueryReader.Refused r) {
        response.setCode(r.code()).setRecursionAvailable(false);
    }

}
