package dev.halb.core.replica;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Backend host names, resolved off the data path.
 *
 * A VIP asks resolve(host) whenever it rebuilds its endpoints. The answer comes from memory at
 * once: an address, "does not resolve", or "not known yet" - in which case the name is looked up
 * in the background and every subscribed VIP is told when the answer is in, so it rebuilds again.
 * Nothing ever waits for DNS on a Netty event loop or on a discovery thread.
 *
 * Caffeine keeps the answers: refreshAfterWrite re-resolves a name in the background when it is
 * read after REFRESH (a read never waits for that), expireAfterAccess forgets names nobody has
 * asked about for FORGET. Names in use are read every RETRY by a timer, so they are refreshed
 * even when their backends do not change, and a name that failed is tried again every RETRY
 * rather than every REFRESH. Subscribers are told only when an answer changes.
 *
 * IP literals never come here: isIpLiteral lets callers skip the resolver for them.
 */
final class HostResolver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HostResolver.class);

    static final Duration REFRESH = Duration.ofSeconds(30);
    static final Duration RETRY = Duration.ofSeconds(5);
    static final Duration FORGET = Duration.ofMinutes(10);

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HostLookup lookup;
    private final ScheduledExecutorService pool;
    private final LoadingCache<String, Optional<InetAddress>> cache;
    /** The latest answer per name, written by the loader before Caffeine stores it. */
    private final Map<String, Optional<InetAddress>> known = new ConcurrentHashMap<>();
    /** Names whose first lookup is under way, so a burst of rebuilds starts one lookup each. */
    private final Set<String> loading = ConcurrentHashMap.newKeySet();
    /** Who uses which names (a VIP each), for the timer. */
    private final Map<Object, Set<String>> uses = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    HostResolver(HostLookup lookup) {
        this(lookup, REFRESH, RETRY);
    }

    HostResolver(HostLookup lookup, Duration refresh, Duration retry) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.pool = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "halb-resolver-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.cache = Caffeine.newBuilder()
                .executor(pool)
                .refreshAfterWrite(refresh)
                .expireAfterAccess(FORGET)
                .removalListener((String host, Optional<InetAddress> value, RemovalCause cause) -> {
                    if (host != null && cause.wasEvicted()) {
                        known.remove(host);
                    }
                })
                .build(this::resolveNow);
        long retryMs = retry.toMillis();
        pool.scheduleWithFixedDelay(this::refreshInUse, retryMs, retryMs, TimeUnit.MILLISECONDS);
    }

    /** Whether {@code host} is an IPv4 or IPv6 literal, which needs no resolving. */
    static boolean isIpLiteral(String host) {
        return dev.halb.core.membership.Membership.isIpLiteral(host);
    }

    /**
     * The address of {@code host} as known now: present when it resolves, empty when it did not
     * at the last try, {@code null} while its first lookup is under way (subscribers are told
     * when it is done). Never blocks.
     */
    Optional<InetAddress> resolve(String host) {
        // A read: keeps the name cached and, past REFRESH, re-resolves it in the background.
        Optional<InetAddress> cached = cache.getIfPresent(host);
        Optional<InetAddress> latest = known.get(host);
        if (latest != null) {
            return latest;
        }
        if (cached != null) {
            return cached;
        }
        if (loading.add(host)) {
            try {
                cache.refresh(host).whenComplete((v, e) -> loading.remove(host));
            } catch (RejectedExecutionException e) {
                loading.remove(host); // closed
            }
        }
        return null;
    }

    /** Records the names {@code owner} uses now (replacing what it used before). */
    void use(Object owner, Set<String> hosts) {
        if (hosts.isEmpty()) {
            uses.remove(owner);
        } else {
            uses.put(owner, Set.copyOf(hosts));
        }
    }

    /** {@code owner} uses no names any more. */
    void release(Object owner) {
        uses.remove(owner);
    }

    /**
     * Calls {@code listener} on a resolver thread whenever the answer for some name changed.
     *
     * @return closing it stops the calls
     */
    AutoCloseable subscribe(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    /** The loader: runs on the pool. Records the answer, and tells subscribers when it changed. */
    private Optional<InetAddress> resolveNow(String host) {
        Optional<InetAddress> answer;
        try {
            answer = Optional.of(lookup.lookup(host));
        } catch (UnknownHostException e) {
            answer = Optional.empty();
        } catch (RuntimeException e) {
            log.debug("looking up {} failed", host, e);
            answer = Optional.empty();
        }
        Optional<InetAddress> before = known.put(host, answer);
        if (!answer.equals(before)) {
            if (before != null) {
                log.info("host name {} now {}", host, answer.map(a -> "resolves to " + a.getHostAddress())
                        .orElse("does not resolve"));
            }
            notifyListeners();
        }
        return answer;
    }

    private void notifyListeners() {
        try {
            pool.execute(() -> {
                for (Runnable l : listeners) {
                    try {
                        l.run();
                    } catch (RuntimeException e) {
                        log.warn("host name listener failed", e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** The timer: reads every name in use (refreshing it past REFRESH) and retries failed ones. */
    private void refreshInUse() {
        try {
            Set<String> hosts = new HashSet<>();
            uses.values().forEach(hosts::addAll);
            for (String host : hosts) {
                Optional<InetAddress> latest = known.get(host);
                if (latest != null && latest.isEmpty()) {
                    cache.refresh(host);
                } else {
                    resolve(host);
                }
            }
        } catch (RuntimeException e) {
            log.warn("refreshing host names failed", e);
        }
    }

    @Override
    public void close() {
        listeners.clear();
        pool.shutdownNow();
    }
}
