package dev.halb.core.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The name cache: answers at once, looks up in the background, tells subscribers when an answer changes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostResolverTest {

    private final Map<String, InetAddress> dns = new ConcurrentHashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();

    private InetAddress lookup(String host) throws UnknownHostException {
        lookups.incrementAndGet();
        InetAddress a = dns.get(host);
        if (a == null) {
            throw new UnknownHostException(host);
        }
        return a;
    }

    @Test
    void unknownFirstThenResolvedAndSubscribersAreTold() throws Exception {
        dns.put("a.test", InetAddress.getByName("10.0.0.1"));
        try (HostResolver r = new HostResolver(this::lookup, Duration.ofSeconds(30), Duration.ofMillis(100))) {
            AtomicInteger told = new AtomicInteger();
            r.subscribe(told::incrementAndGet);
            assertThat(r.resolve("a.test")).isNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> told.get() == 1);
            assertThat(r.resolve("a.test")).contains(InetAddress.getByName("10.0.0.1"));
            assertThat(lookups.get()).isEqualTo(1);
        }
    }

    @Test
    void aFailedNameInUseIsTriedAgainUntilItResolves() throws Exception {
        try (HostResolver r = new HostResolver(this::lookup, Duration.ofSeconds(30), Duration.ofMillis(100))) {
            AtomicInteger told = new AtomicInteger();
            r.subscribe(told::incrementAndGet);
            assertThat(r.resolve("late.test")).isNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> Optional.empty().equals(r.resolve("late.test")));
            r.use(this, Set.of("late.test"));
            int before = told.get();
            dns.put("late.test", InetAddress.getByName("10.0.0.2"));
            await().atMost(Duration.ofSeconds(5)).until(() -> told.get() > before);
            assertThat(r.resolve("late.test")).contains(InetAddress.getByName("10.0.0.2"));
        }
    }

    @Test
    void ipLiteralsAreRecognised() {
        assertThat(HostResolver.isIpLiteral("127.0.0.1")).isTrue();
        assertThat(HostResolver.isIpLiteral("::1")).isTrue();
        assertThat(HostResolver.isIpLiteral("fd00::10")).isTrue();
        assertThat(HostResolver.isIpLiteral("backend.example")).isFalse();
        assertThat(HostResolver.isIpLiteral("10.0.0")).isFalse();
    }
}
