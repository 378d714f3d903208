package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.junit.jupiter.api.Test;

/** Which standby is promoted, and when none may be. */
class CandidateChoiceTest {
    private static final List<String> SYNC = List.of("b1", "b2");

    @Test
    void theMostAdvancedStandbyOfThePreferredIdcIsChosen() {
        var choice = CandidateChoice.choose(List.of(primaryDown(), standby("l", "IDC1", 90), standby("b1", "IDC2", 100),
                standby("b2", "IDC2", 120)), "p", SYNC, "IDC2");
        assertEquals("b2", choice.candidate().name());
        assertTrue(choice.fastForwardFrom().isEmpty());
    }

    @Test
    void aPreferredStandbyThatIsBehindIsFastForwardedFromTheMostAdvancedOne() {
        var choice = CandidateChoice.choose(List.of(primaryDown(), standby("l", "IDC1", 90), standby("b1", "IDC2", 100),
                standby("b2", "IDC2", 120)), "p", SYNC, "IDC1");
        assertEquals("l", choice.candidate().name());
        assertEquals("b2", choice.fastForwardFrom().orElseThrow().name());
        assertEquals(120, choice.targetLsn());
    }

    @Test
    void noStandbyIsPromotedWhileAMemberOfTheSyncSetIsSilent() {
        var refused = assertThrows(CandidateChoice.NoSafeCandidate.class, () -> CandidateChoice.choose(List.of(primaryDown(),
                standby("l", "IDC1", 200), standby("b1", "IDC2", 100), down("b2", "IDC2")), "p", SYNC, "IDC2"));
        assertTrue(refused.getMessage().contains("b2"), refused.getMessage());
    }

    @Test
    void anEmptySyncSetMeansNobodyIsKnownToHoldEveryCommit() {
        assertThrows(CandidateChoice.NoSafeCandidate.class, () -> CandidateChoice.choose(List.of(primaryDown(),
                standby("b1", "IDC2", 100)), "p", List.of(), "IDC2"));
    }

    @Test
    void aStandbyMarkedForRejoinIsNeverChosen() {
        NodeState stale = new NodeState(new NodeRecord("b2", "c", "g", "IDC2", "a", "e", 1, "", "standby", true), 0, false,
                Optional.of(observation(500)));
        var choice = CandidateChoice.choose(List.of(primaryDown(), standby("b1", "IDC2", 100), stale), "p", List.of("b1"), "IDC2");
        assertEquals("b1", choice.candidate().name());
    }

    private static NodeState primaryDown() {
        return new NodeState(new NodeRecord("p", "c", "g", "IDC1", "a", "e", 1, "", "primary", false), 3, true, Optional.empty());
    }

    private static NodeState down(String name, String idc) {
        return new NodeState(new NodeRecord(name, "c", "g", idc, "a", "e", 1, "", "standby", false), 3, true, Optional.empty());
    }

    private static NodeState standby(String name, String idc, long lsn) {
        return new NodeState(new NodeRecord(name, "c", "g", idc, "a", "e", 1, "", "standby", false), 0, false,
                Optional.of(observation(lsn)));
    }

    private static NodeObservation observation(long lsn) {
        return new NodeObservation(true, lsn, true, "", Optional.empty(), List.of());
    }
}
