package dev.halb.core.config;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A value a configuration record rejects, with the key it belongs to, so that the loader can name
 * the key's whole path: {@code connectRetries: -1 (expected: an integer 0-10)} from a record built in
 * code reads {@code vips[0].connectRetries: '-1' (expected: an integer 0-10)} from a file.
 *
 * <p>Keys are relative to the record that throws: {@code intervalMs}, {@code backends[1]} or, from
 * the root, {@code vips[2].name}. An expectation that points at another key writes {@code {}} for
 * it, and the key goes in {@code relatedKeys}, so that it gets the same prefix.
 */
final class InvalidValueException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;
    private final String expectation;
    private final List<String> relatedKeys;

    private InvalidValueException(String key, String value, String expectation, List<String> relatedKeys) {
        super(key + ": " + (value == null ? "missing" : value) + " (" + fill(expectation, relatedKeys, k -> k)
                + ")");
        this.key = key;
        this.value = value;
        this.expectation = expectation;
        this.relatedKeys = relatedKeys;
    }

    /**
     * @param value       the value as it should be shown (a secret already masked)
     * @param expectation "expected: ..." or "expected one of: ...", with {@code {}} for each related key
     */
    static InvalidValueException of(String key, Object value, String expectation, String... relatedKeys) {
        return new InvalidValueException(key, String.valueOf(value), expectation, List.of(relatedKeys));
    }

    /** A required key that has no value. */
    static InvalidValueException missing(String key, String expectation) {
        return new InvalidValueException(key, null, expectation, List.of());
    }

    /** The key, relative to the record that threw. */
    String key() {
        return key;
    }

    /** The value as shown in messages, or {@code null} when it is missing. */
    String value() {
        return value;
    }

    /** The expectation with each related key turned into a path by {@code path}. */
    String expectation(UnaryOperator<String> path) {
        return fill(expectation, relatedKeys, path);
    }

    private static String fill(String template, List<String> keys, UnaryOperator<String> path) {
        StringBuilder out = new StringBuilder(template.length());
        int from = 0;
        for (String key : keys) {
            int at = template.indexOf("{}", from);
            out.append(template, from, at).append(path.apply(key));
            from = at + 2;
        }
        return out.append(template, from, template.length()).toString();
    }
}
