package dev.halb.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Backend channels are made without reflection, of the class the rest of the replica expects. */
class TransportTest {

    @ParameterizedTest
    @MethodSource("dev.halb.core.testing.TestTransports#available")
    void newChannelIsOfTheTransportsChannelClass(Transport transport) throws Exception {
        Channel ch = transport.newChannel();
        try {
            assertThat(ch).isExactlyInstanceOf(transport.channelClass());
            assertThat(ch.isRegistered()).isFalse();
        } finally {
            ch.unsafe().closeForcibly();
        }
    }
}
