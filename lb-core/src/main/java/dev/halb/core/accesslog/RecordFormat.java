package dev.halb.core.accesslog;

import dev.halb.core.config.AccessLogFormat;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The two formats of a record, written by the writer thread only (the timestamp cache is not
 * shared). Fields, in this order in both:
 * {@code start durationMs client vip backend backendAddress backendZone pick attempts failed
 * connectMs bytesIn bytesOut end}.
 *
 * <p>{@code text} is one line of space-separated fields, {@code -} for an empty one and the
 * failed backends joined by commas, like HAProxy's {@code tcplog}: read by eye and by
 * {@code awk}. {@code json} is one object per line; an absent backend is {@code "-"}, its
 * address and {@code connectMs} are {@code null}.
 */
abstract class RecordFormat {

    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    /** The formatted second of the last record: consecutive records mostly share it. */
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedSecondText = "";

    static RecordFormat of(AccessLogFormat format) {
        return switch (format) {
            case TEXT -> new Text();
            case JSON -> new Json();
            case OFF -> throw new IllegalArgumentException("format: off (expected: text or json)");
        };
    }

    /** Appends {@code r} to {@code out}, without the line end. */
    abstract void append(AccessRecord r, StringBuilder out);

    /** ISO-8601 in UTC with milliseconds: {@code 2025-03-01T12:00:00.042Z}. */
    final void appendStart(long epochMillis, StringBuilder out) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != cachedSecond) {
            cachedSecond = second;
            cachedSecondText = SECONDS.format(Instant.ofEpochSecond(second));
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        out.append(cachedSecondText).append('.');
        if (millis < 100) {
            out.append('0');
        }
        if (millis < 10) {
            out.append('0');
        }
        out.append(millis).append('Z');
    }

    static void appendAddress(SocketAddress a, StringBuilder out) {
        if (a instanceof InetSocketAddress isa && isa.getAddress() != null) {
            String host = isa.getAddress().getHostAddress();
            if (host.indexOf(':') >= 0) {
                out.append('[').append(host).append(']');
            } else {
                out.append(host);
            }
            out.append(':').append(isa.getPort());
        } else {
            out.append(a);
        }
    }

    /** Milliseconds with microsecond precision: {@code 0.153}. */
    static void appendMillis(long nanos, StringBuilder out) {
        long micros = nanos / 1000;
        out.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            out.append('0');
        }
        if (frac < 10) {
            out.append('0');
        }
        out.append(frac);
    }

    private static final class Text extends RecordFormat {
        @Override
        void append(AccessRecord r, StringBuilder out) {
            appendStart(r.startMillis(), out);
            out.append(' ').append(r.durationNanos() / 1_000_000).append(' ');
            appendAddress(r.client(), out);
            out.append(' ').append(r.vip()).append(' ');
            word(r.backend(), out);
            out.append(' ');
            if (r.backendAddress() == null) {
                out.append('-');
            } else {
                appendAddress(r.backendAddress(), out);
            }
            out.append(' ');
            word(r.backendZone(), out);
            out.append(' ');
            word(r.pick(), out);
            out.append(' ').append(r.attempts()).append(' ');
            List<String> failed = r.failed();
            if (failed.isEmpty()) {
                out.append('-');
            } else {
                for (int i = 0; i < failed.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    out.append(failed.get(i));
                }
            }
            out.append(' ');
            if (r.connectNanos() < 0) {
                out.append('-');
            } else {
                appendMillis(r.connectNanos(), out);
            }
            out.append(' ').append(r.bytesIn()).append(' ').append(r.bytesOut()).append(' ').append(r.end().label());
        }

        private static void word(String s, StringBuilder out) {
            out.append(s == null || s.isEmpty() ? "-" : s);
        }
    }

    private static final class Json extends RecordFormat {
        @Override
        void append(AccessRecord r, StringBuilder out) {
            out.append("{\"start\":\"");
            appendStart(r.startMillis(), out);
            out.append("\",\"durationMs\":").append(r.durationNanos() / 1_000_000);
            out.append(",\"client\":\"");
            appendAddress(r.client(), out);
            out.append("\",\"vip\":");
            string(r.vip(), out);
            out.append(",\"backend\":");
            string(r.backend() == null ? "-" : r.backend(), out);
            out.append(",\"backendAddress\":");
            if (r.backendAddress() == null) {
                out.append("null");
            } else {
                out.append('"');
                appendAddress(r.backendAddress(), out);
                out.append('"');
            }
            out.append(",\"backendZone\":");
            string(r.backendZone(), out);
            out.append(",\"pick\":");
            string(r.pick() == null ? "-" : r.pick(), out);
            out.append(",\"attempts\":").append(r.attempts());
            out.append(",\"failed\":[");
            List<String> failed = r.failed();
            for (int i = 0; i < failed.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                string(failed.get(i), out);
            }
            out.append("],\"connectMs\":");
            if (r.connectNanos() < 0) {
                out.append("null");
            } else {
                appendMillis(r.connectNanos(), out);
            }
            out.append(",\"bytesIn\":").append(r.bytesIn());
            out.append(",\"bytesOut\":").append(r.bytesOut());
            out.append(",\"end\":\"").append(r.end().label()).append("\"}");
        }

        /** A JSON string: quotes, backslashes and control characters escaped. */
        private static void string(String s, StringBuilder out) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
