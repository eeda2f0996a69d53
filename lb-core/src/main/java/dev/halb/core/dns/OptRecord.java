package dev.halb.core.dns;

import io.netty.handler.codec.dns.AbstractDnsOptPseudoRrRecord;

/** The EDNS OPT record of a response, with no options: it says how big a UDP answer this responder sends. */
final class OptRecord extends AbstractDnsOptPseudoRrRecord {

    OptRecord(int maxPayloadSize) {
        super(maxPayloadSize, 0, 0);
    }
}
