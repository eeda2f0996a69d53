package dev.halb.core.metrics;

import java.util.List;

/**
 * What the DNS responder reports. Implementations must be cheap and must never throw: they run
 * on the DNS event loop for every query.
 */
public interface DnsMetrics {

    /** The response codes counted by name; any other code is counted as {@code other}. */
    List<String> RCODES = List.of("noerror", "nxdomain", "refused", "formerr", "notimp", "other");

    /** The transports counted. */
    List<String> TRANSPORTS = List.of("udp", "tcp");

    /**
     * One query answered.
     *
     * @param tcp   over TCP rather than UDP
     * @param rcode the response code's value (0 NOERROR, 1 FORMERR, 3 NXDOMAIN, 4 NOTIMP, 5 REFUSED)
     */
    void answered(boolean tcp, int rcode);

    /** A UDP answer did not fit and went out empty with TC set. */
    void truncated();

    /** A datagram or TCP message that was not a query (too short, or a response): not answered. */
    void dropped();

    /** Counts nothing. */
    static DnsMetrics disabled() {
        return DisabledDnsMetrics.INSTANCE;
    }
}
