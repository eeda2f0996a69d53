package dev.halb.core.config;

/**
 * The checks the configuration records make in their compact constructors; each failure is an
 * {@link InvalidValueException} naming the key, the value and what was expected.
 */
final class Checks {

    private Checks() {
    }

    /** What an integer key expects, as a range check says it. */
    static String integer(long min, long max) {
        return "expected: an integer " + min + "-" + max;
    }

    static int range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw InvalidValueException.of(key, value, integer(min, max));
        }
        return value;
    }

    static long range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw InvalidValueException.of(key, value, integer(min, max));
        }
        return value;
    }

    /** A key without a default: {@code null} is reported as missing. */
    static <T> T required(String key, T value, String expectation) {
        if (value == null) {
            throw InvalidValueException.missing(key, expectation);
        }
        return value;
    }

    /** Not empty, no '/', no whitespace or control characters: usable as one ZooKeeper node name. */
    static boolean isNodeName(String s) {
        return !s.isEmpty() && !s.equals(".") && !s.equals("..") && s.length() <= 255 && s.indexOf('/') < 0
                && !hasSpaceOrControl(s);
    }

    static boolean hasSpaceOrControl(String s) {
        return s.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }
}
