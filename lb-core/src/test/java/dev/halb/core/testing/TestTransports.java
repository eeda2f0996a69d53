package dev.halb.core.testing;

import dev.halb.core.proxy.Transport;
import java.util.stream.Stream;

/** {@code @MethodSource("dev.halb.core.testing.TestTransports#available")}: every transport this kernel allows. */
public final class TestTransports {

    private TestTransports() {
    }

    public static Stream<Transport> available() {
        return Transport.available().stream();
    }
}
