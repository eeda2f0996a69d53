package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;
import java.util.Objects;

/**
 * The DNS responder: named VIPs answered over UDP and TCP, authoritatively for one domain.
 *
 * @param bind       where it listens, UDP and TCP on the same address; {@code null} = off
 *                   ({@code ""} in the file)
 * @param domain     the zone it answers for, e.g. {@code halb.internal}: lower case, no trailing dot
 * @param ttlSeconds the TTL of every record it gives
 */
public record DnsConfig(BindAddress bind, String domain, int ttlSeconds) {

    private static final String DEFAULT_DOMAIN = "halb.internal";
    private static final int DEFAULT_TTL = 5;
    private static final int MAX_TTL = 86_400;

    public static final DnsConfig DEFAULT = new DnsConfig(null, DEFAULT_DOMAIN, DEFAULT_TTL);

    public DnsConfig {
        domain = Objects.requireNonNullElse(domain, DEFAULT_DOMAIN).strip().toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (!isDomainName(domain)) {
            throw InvalidValueException.of("domain", domain,
                    "expected: a domain name such as halb.internal: labels of 1-63 letters, digits, '-' or '_'");
        }
        Checks.range("ttlSeconds", ttlSeconds, 0, MAX_TTL);
    }

    /** The configuration of {@code dns}: every {@code null} takes its value from {@link #DEFAULT}. */
    @JsonCreator
    static DnsConfig withDefaults(String bind, String domain, Integer ttlSeconds) {
        BindAddress address = null;
        if (bind != null && !bind.isBlank()) {
            try {
                address = BindAddress.parse(bind);
            } catch (IllegalArgumentException e) {
                throw InvalidValueException.of("bind", bind, "expected: \"\" (off) or host:port, e.g. 0.0.0.0:53");
            }
        }
        return new DnsConfig(address, domain, Objects.requireNonNullElse(ttlSeconds, DEFAULT_TTL));
    }

    public boolean enabled() {
        return bind != null;
    }

    /** This configuration listening on {@code address} (the demo and tests pick theirs). */
    public DnsConfig withBind(BindAddress address) {
        return new DnsConfig(address, domain, ttlSeconds);
    }

    private static boolean isDomainName(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        for (String label : s.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                    return false;
                }
            }
        }
        return true;
    }
}
