package dev.halb.discovery.zookeeper;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * What an operator reads about one ZooKeeper connection: one WARN when it is lost (or never made
 * at start), a reminder while it stays lost, with the time since, one INFO when it is back. No
 * stack trace: a server that does not answer is a state, not a fault of this process.
 *
 * <p>Reminders come after {@value #FIRST_REMINDER_S} s and then at doubling intervals up to
 * {@value #MAX_REMINDER_S} s, so a long outage costs a line every five minutes while a short
 * one is still seen. Time is a parameter: {@link #tick} is called once a second by the owner's
 * timer with the clock's instant, and tests call it with theirs.
 */
final class OutageLog {

    static final long FIRST_REMINDER_S = 10;
    static final long MAX_REMINDER_S = 300;

    private final Logger log;
    private final String where;

    // Guarded by this.
    private boolean everConnected;
    private Instant lostAt;
    private Instant nextReminder;
    private Duration interval;
    private boolean sessionLossLogged;

    OutageLog(Logger log, String where) {
        this.log = log;
        this.where = where;
    }

    /** The first wait at start ended without an answer. */
    synchronized void startTimedOut(Instant now, long waitedMs) {
        if (everConnected || lostAt != null) {
            return;
        }
        down(now);
        log.warn("ZooKeeper at {} did not answer within {} ms: serving without it (static backends only until it "
                + "answers); retrying in the background", where, waitedMs);
    }

    /** The connection is gone (Curator's SUSPENDED, or LOST before any connection). */
    synchronized void lost(Instant now) {
        if (lostAt != null) {
            return;
        }
        down(now);
        if (everConnected) {
            log.warn("ZooKeeper connection to {} lost: serving the last known backends; reconnecting in the "
                    + "background", where);
        } else {
            log.warn("ZooKeeper at {} does not answer: serving without it; retrying in the background", where);
        }
    }

    /** Curator gave the session up (LOST); said once per outage, and only if there was a session to lose. */
    synchronized void sessionLost(Instant now) {
        if (!everConnected || sessionLossLogged) {
            return;
        }
        sessionLossLogged = true;
        log.info("ZooKeeper session expired ({} s without {}): a new one is made when a server answers",
                lostAt == null ? 0 : seconds(lostAt, now), where);
    }

    /** Called about once a second while the owner runs. */
    synchronized void tick(Instant now) {
        if (lostAt == null || now.isBefore(nextReminder)) {
            return;
        }
        log.warn("ZooKeeper at {} still unreachable after {} s: serving the last known backends; retrying", where,
                seconds(lostAt, now));
        Duration doubled = interval.multipliedBy(2);
        interval = doubled.compareTo(Duration.ofSeconds(MAX_REMINDER_S)) > 0 ? Duration.ofSeconds(MAX_REMINDER_S)
                : doubled;
        nextReminder = now.plus(interval);
    }

    /** Connected: the first time, or again. */
    synchronized void connected(Instant now, String root, boolean newSession) {
        Instant since = lostAt;
        boolean first = !everConnected;
        if (!first && since == null) {
            return; // a repeated event for a connection already reported
        }
        everConnected = true;
        lostAt = null;
        sessionLossLogged = false;
        if (first && since == null) {
            log.info("connected to ZooKeeper at {} (root {})", where, root);
        } else if (first) {
            log.info("connected to ZooKeeper at {} (root {}) after {} s unreachable", where, root,
                    seconds(since, now));
        } else {
            log.info("ZooKeeper at {} back after {} s disconnected ({})", where, since == null ? 0
                    : seconds(since, now), newSession ? "new session: re-reading everything" : "session kept");
        }
    }

    synchronized boolean down() {
        return lostAt != null;
    }

    private void down(Instant now) {
        lostAt = now;
        interval = Duration.ofSeconds(FIRST_REMINDER_S);
        nextReminder = now.plus(interval);
    }

    private static long seconds(Instant from, Instant to) {
        Duration d = Duration.between(from, to);
        return d.isNegative() ? 0 : d.toSeconds();
    }
}
