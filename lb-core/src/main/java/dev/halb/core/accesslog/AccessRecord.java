package dev.halb.core.accesslog;

import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * One client connection as the access log writes it. Built once, when the connection ends (or
 * is refused), from fields its handler kept; formatted later on the writer's thread.
 *
 * @param startMillis    when the client was accepted, epoch milliseconds
 * @param durationNanos  from accept to the close of the connection's last socket
 * @param client         the client's address
 * @param vip            the VIP's name
 * @param backend        the id of the backend that served it (or was tried last); {@code null} for none
 * @param backendAddress that backend's address; {@code null} for none
 * @param backendZone    that backend's zone ("" for none)
 * @param pick           how the backend was chosen: strategy and zone mode ({@code p2c/local},
 *                       {@code p2c/spill}, {@code maglev/no_local_zone}); {@code null} when no pick was made
 * @param attempts       backend connects tried (1 + retries); 0 when none was
 * @param failed         ids of the backends whose connect failed, in order
 * @param connectNanos   how long the successful connect took; -1 when none succeeded
 * @param bytesIn        bytes relayed from the client to the backend
 * @param bytesOut       bytes relayed from the backend to the client
 * @param end            how it ended
 */
public record AccessRecord(long startMillis, long durationNanos, SocketAddress client, String vip, String backend,
                           SocketAddress backendAddress, String backendZone, String pick, int attempts,
                           List<String> failed, long connectNanos, long bytesIn, long bytesOut, ConnectionEnd end) {

    public AccessRecord {
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(end, "end");
        backendZone = Objects.requireNonNullElse(backendZone, "");
        failed = List.copyOf(Objects.requireNonNullElse(failed, List.of()));
    }
}
