package dev.halb.core.peers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One peer's states, outcome by outcome. */
class PeerTrackerTest {

    @Test
    void downOnlyAfterThresholdFailuresInARowDrainingAtOnceServingOnAPass() {
        PeerTracker t = new PeerTracker(2);
        assertThat(t.state()).isEqualTo(PeerState.SERVING);
        assertThat(t.record(PeerTracker.Outcome.FAIL)).isEqualTo(PeerState.SERVING);
        assertThat(t.record(PeerTracker.Outcome.PASS)).isEqualTo(PeerState.SERVING);
        assertThat(t.record(PeerTracker.Outcome.FAIL)).isEqualTo(PeerState.SERVING);
        assertThat(t.record(PeerTracker.Outcome.FAIL)).isEqualTo(PeerState.DOWN);
        assertThat(t.record(PeerTracker.Outcome.FAIL)).isEqualTo(PeerState.DOWN);
        assertThat(t.record(PeerTracker.Outcome.PASS)).isEqualTo(PeerState.SERVING);
        assertThat(t.record(PeerTracker.Outcome.DRAINING)).isEqualTo(PeerState.DRAINING);
        // A draining peer that dies: down after the threshold, as any other.
        assertThat(t.record(PeerTracker.Outcome.FAIL)).isEqualTo(PeerState.DRAINING);
        assertThat(t.record(PeerTracker.Outcome.FAIL)).isEqualTo(PeerState.DOWN);
    }

    @Test
    void thresholdOneMarksDownAtTheFirstFailure() {
        PeerTracker t = new PeerTracker(1);
        assertThat(t.record(PeerTracker.Outcome.FAIL)).isEqualTo(PeerState.DOWN);
    }

    @Test
    void unprobedReplicasCountAsServing() {
        assertThat(PeerStates.EMPTY.serving("anyone")).isTrue();
        assertThat(new PeerStates(java.util.Map.of("b", PeerState.DOWN)).serving("b")).isFalse();
    }
}
