package dev.halb.core.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The timeouts of every proxied connection on one event loop, checked by one periodic task
 * instead of a timer per connection: idle ({@code idleTimeoutMs}), half-closed ({@code
 * finTimeoutMs}) and the deadline of a side whose peer has gone. A connection notes its activity
 * by copying {@link #now} into a field on each read; the sweep walks an intrusive list, so adding
 * and removing a connection is O(1) and allocates nothing. Timeouts are honoured to within one
 * {@link #PERIOD_MS}.
 *
 * <p>The sweep also re-checks direct memory and resumes connections it paused for memory once
 * usage is back under its threshold, and asks the sockets of closing connections that have gone
 * quiet for a reset their transport did not report.
 *
 * <p>The list is also the loop's registry of open connections: {@link #closeClientsOf} closes
 * the ones of a VIP, so no connection needs a set entry or a close listener of its own.
 *
 * <p>Confined to its event loop's thread: no field needs synchronisation. The task runs while
 * the loop has connections, and stops at the first sweep that finds none (not when the last
 * one closes: one connection after another would schedule and cancel it each time).
 */
final class ConnectionSweeper implements Runnable {

    static final long PERIOD_MS = 100;

    private static final FastThreadLocal<ConnectionSweeper> LOCAL = new FastThreadLocal<>();

    private final EventLoop loop;
    private final Ticker ticker;
    private FrontendHandler head;
    private int size;
    private ScheduledFuture<?> task;
    /** Milliseconds on the ticker's clock, as of the last sweep (or registration). */
    long now;

    private ConnectionSweeper(EventLoop loop, Ticker ticker) {
        this.loop = loop;
        this.ticker = ticker;
        this.now = clock();
    }

    /** The sweeper of the calling event loop thread, created on first use. */
    static ConnectionSweeper of(EventLoop loop) {
        ConnectionSweeper s = LOCAL.get();
        if (s == null || s.loop != loop) {
            s = new ConnectionSweeper(loop, Ticker.systemTicker());
            LOCAL.set(s);
        }
        return s;
    }

    private long clock() {
        return TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime());
    }

    void add(FrontendHandler h) {
        h.sweepNext = head;
        h.sweepPrev = null;
        if (head != null) {
            head.sweepPrev = h;
        }
        head = h;
        if (size++ == 0 && task == null) {
            now = clock();
            task = loop.scheduleAtFixedRate(this, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        }
    }

    void remove(FrontendHandler h) {
        if (h.sweepPrev == null && head != h) {
            return; // not on the list
        }
        if (h.sweepPrev != null) {
            h.sweepPrev.sweepNext = h.sweepNext;
        } else {
            head = h.sweepNext;
        }
        if (h.sweepNext != null) {
            h.sweepNext.sweepPrev = h.sweepPrev;
        }
        h.sweepNext = null;
        h.sweepPrev = null;
        size--;
    }

    /**
     * Closes the client channel of every connection of {@code vip} on the calling event loop
     * (closing a client closes its backend after its queued writes) and returns their close
     * futures. Must run on an event loop thread.
     */
    static List<ChannelFuture> closeClientsOf(VipListener vip) {
        ConnectionSweeper s = LOCAL.get();
        if (s == null) {
            return List.of();
        }
        List<Channel> clients = new ArrayList<>();
        for (FrontendHandler h = s.head; h != null; h = h.sweepNext) {
            if (h.vip() == vip && h.channel() != null) {
                clients.add(h.channel());
            }
        }
        // Closed after the walk: a close removes its connection from the list.
        List<ChannelFuture> closed = new ArrayList<>(clients.size());
        for (Channel c : clients) {
            closed.add(c.close());
        }
        return closed;
    }

    int size() {
        return size;
    }

    @Override
    public void run() {
        if (size == 0) {
            task.cancel(false);
            task = null;
            return;
        }
        now = clock();
        boolean memoryOk = !DirectMemory.check();
        FrontendHandler h = head;
        while (h != null) {
            // sweep() may close the connection, which removes it from the list.
            FrontendHandler next = h.sweepNext;
            h.sweep(now, memoryOk);
            h = next;
        }
    }
}
