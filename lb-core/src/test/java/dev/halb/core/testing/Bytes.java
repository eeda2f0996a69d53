package dev.halb.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

/** Byte-array assertions that say where two arrays differ instead of printing them. */
public final class Bytes {

    private Bytes() {
    }

    public static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        assertThat(Arrays.mismatch(actual, expected))
                .as("%s: first differing byte (received %d bytes, expected %d)", what, actual.length, expected.length)
                .isEqualTo(-1);
    }
}
