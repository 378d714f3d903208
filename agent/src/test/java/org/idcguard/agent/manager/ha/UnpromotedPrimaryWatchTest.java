package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When the observer times a recorded primary as a takeover's candidate never promoted ("unpromoted"): in recovery and
 * following nobody, or still streaming from a node of its own group (the standby it was fast-forwarded from, found by
 * the simulation at seed 6941). A recorded primary in recovery that streams from a node outside the group is a DBA's
 * doing and is not timed.
 */
class UnpromotedPrimaryWatchTest {
    private static final String KEY = "unpromoted:p";
    private static final NodeState B1 = HaFixtures.standby("b1", "IDC2", 100);

    private static NodeState recordedPrimaryInRecovery(Optional<NodeObservation.Receiver> receiver, boolean upstreamSet) {
        return new NodeState(HaFixtures.record("p", "IDC1", "primary", false), 0, false,
                Optional.of(HaFixtures.standbyObservation(100, receiver, upstreamSet)));
    }

    private static boolean timed(NodeState primary) {
        try (NodeObserver observer = new NodeObserver(new ActionSessions())) {
            return observer.linger(List.of(primary, B1), 0).containsKey(KEY);
        }
    }

    @Test
    void followingNobodyIsTimed() {
        assertTrue(timed(recordedPrimaryInRecovery(Optional.empty(), false)));
    }

    @Test
    void streamingFromANodeOfItsGroupIsTimed() {
        assertTrue(timed(recordedPrimaryInRecovery(Optional.of(new NodeObservation.Receiver("streaming", B1.node().address(),
                B1.node().port(), 0)), true)));
    }

    @Test
    void streamingFromOutsideTheGroupIsNot() {
        assertFalse(timed(recordedPrimaryInRecovery(Optional.of(new NodeObservation.Receiver("streaming", "10.9.9.9", 5432, 0)),
                true)));
        assertFalse(timed(recordedPrimaryInRecovery(Optional.empty(), true)), "pointed somewhere that does not answer: a DBA's");
    }
}
