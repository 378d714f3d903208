package org.idcguard.agent.manager.ha;

import static org.idcguard.agent.manager.ha.HaFixtures.down;
import static org.idcguard.agent.manager.ha.HaFixtures.markedForRejoin;
import static org.idcguard.agent.manager.ha.HaFixtures.primaryDown;
import static org.idcguard.agent.manager.ha.HaFixtures.standby;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which standby is promoted, by the positions fixed after detaching, and when none may be. */
class CandidateChoiceTest {
    private static final List<String> SYNC = List.of("b1", "b2");
    private static final List<NodeState> GROUP = List.of(primaryDown(), standby("l", "IDC1", 90), standby("b1", "IDC2", 100),
            standby("b2", "IDC2", 120));

    @Test
    void theMostAdvancedStandbyOfThePreferredIdcIsChosen() {
        var choice = CandidateChoice.choose(GROUP, fixed(90, 100, 120), SYNC, SYNC, "IDC2");
        assertEquals("b2", choice.candidate().name());
        assertTrue(choice.fastForwardFrom().isEmpty());
    }

    @Test
    void positionsFixedAfterDetachingCountNotTheTicksSnapshot() {
        // the snapshot said b2 was ahead; after detaching, b1 holds more (it acknowledged the last commits)
        var choice = CandidateChoice.choose(GROUP, fixed(90, 130, 120), SYNC, SYNC, "IDC2");
        assertEquals("b1", choice.candidate().name());
        assertEquals(130, choice.target().lsn());
    }

    @Test
    void aLaterTimelineComesFirstWhateverTheLsn() {
        Map<String, WalPosition> fixed = Map.of("l", new WalPosition(1, 90), "b1", new WalPosition(2, 50), "b2", new WalPosition(1, 120));
        var choice = CandidateChoice.choose(GROUP, fixed, SYNC, SYNC, "IDC2");
        assertEquals("b1", choice.candidate().name());
    }

    @Test
    void aPreferredStandbyThatIsBehindIsFastForwardedFromTheMostAdvancedOne() {
        var choice = CandidateChoice.choose(GROUP, fixed(90, 100, 120), SYNC, SYNC, "IDC1");
        assertEquals("l", choice.candidate().name());
        assertEquals("b2", choice.fastForwardFrom().orElseThrow().name());
        assertEquals(120, choice.target().lsn());
    }

    @Test
    void aSyncStandbyThatCouldNotBeDetachedRefusesThePromotion() {
        Map<String, WalPosition> fixed = Map.of("l", new WalPosition(1, 90), "b1", new WalPosition(1, 100));
        var refused = assertThrows(CandidateChoice.NoSafeCandidate.class, () -> CandidateChoice.choose(GROUP, fixed, SYNC, SYNC, "IDC2"));
        assertTrue(refused.getMessage().contains("b2 could not be detached"), refused.getMessage());
    }

    @Test
    void anAsyncStandbyThatCouldNotBeDetachedIsLeftOut() {
        Map<String, WalPosition> fixed = Map.of("b1", new WalPosition(1, 100), "b2", new WalPosition(1, 120));
        var choice = CandidateChoice.choose(GROUP, fixed, SYNC, SYNC, "IDC1");
        assertEquals("b2", choice.candidate().name(), "l was not detached: it may not be chosen");
    }

    @Test
    void noStandbyIsTouchedWhileAMemberOfTheSyncSetIsSilent() {
        List<NodeState> members = List.of(primaryDown(), standby("l", "IDC1", 200), standby("b1", "IDC2", 100), down("b2", "IDC2"));
        var refused = assertThrows(CandidateChoice.NoSafeCandidate.class, () -> CandidateChoice.precheck(members, "p", SYNC, SYNC));
        assertTrue(refused.getMessage().contains("b2"), refused.getMessage());
    }

    @Test
    void aConfiguredButNotYetRecordedStandbyMustAnswerToo() {
        List<NodeState> members = List.of(primaryDown(), standby("b1", "IDC2", 100), down("b2", "IDC2"));
        var refused = assertThrows(CandidateChoice.NoSafeCandidate.class,
                () -> CandidateChoice.precheck(members, "p", List.of("b1"), Set.of("b1", "b2")));
        assertTrue(refused.getMessage().contains("b2"), refused.getMessage());
        CandidateChoice.precheck(members, "p", List.of("b1"), Set.of("b1")); // without b2 configured, b1 alone suffices
    }

    @Test
    void anEmptySyncSetMeansNobodyIsKnownToHoldEveryCommit() {
        assertThrows(CandidateChoice.NoSafeCandidate.class, () -> CandidateChoice.precheck(GROUP, "p", List.of(), Set.of()));
        assertThrows(CandidateChoice.NoSafeCandidate.class, () -> CandidateChoice.choose(GROUP, fixed(90, 100, 120), List.of(), Set.of(), "IDC2"));
    }

    @Test
    void aStandbyMarkedForRejoinMayNotHoldTheOnlyCopy() {
        List<NodeState> members = List.of(primaryDown(), standby("b1", "IDC2", 100), markedForRejoin(standby("b2", "IDC2", 500)));
        assertThrows(CandidateChoice.NoSafeCandidate.class, () -> CandidateChoice.precheck(members, "p", SYNC, SYNC));
    }

    @Test
    void aFastForwardThatTimesOutNeverSwitchesToADrStandbyButPromotesOneThatHoldsEveryAcknowledgedCommit() {
        // the DR standby received more than the candidate (the IDC2 standbys fell behind): it is the fast-forward's
        // source, but when the candidate does not catch up in time the manager may not promote it; what the DR standby
        // holds beyond b2 nobody acknowledged (it is in no sync set), so b2 is promoted and the DR standby rewound
        List<NodeState> members = List.of(primaryDown(), standby("b1", "IDC2", 100), standby("b2", "IDC2", 110),
                standby("dr", "IDC3", 150));
        Map<String, WalPosition> fixed = Map.of("b1", new WalPosition(1, 100), "b2", new WalPosition(1, 110), "dr", new WalPosition(1, 150));
        java.util.function.Predicate<NodeState> mayLead = s -> !s.idc().equals("IDC3");
        var choice = CandidateChoice.choose(members, fixed, SYNC, SYNC, "IDC2", mayLead);
        assertEquals("b2", choice.candidate().name());
        assertEquals("dr", choice.fastForwardFrom().orElseThrow().name());
        assertEquals(new WalPosition(1, 110), choice.mustHold());
        assertEquals("b2", CandidateChoice.afterFastForwardTimedOut(choice, mayLead).name());
    }

    @Test
    void aFastForwardThatTimesOutRefusesWhenNoStandbyThatMayLeadHoldsEveryAcknowledgedCommit() {
        // b2 was waited for and holds 110, but only b1 (100) and the DR standby may be chosen from: b1 lacks what b2 has
        List<NodeState> members = List.of(primaryDown(), standby("b1", "IDC2", 100), standby("b2", "IDC2", 110),
                standby("dr", "IDC3", 150));
        Map<String, WalPosition> fixed = Map.of("b1", new WalPosition(1, 100), "b2", new WalPosition(1, 110), "dr", new WalPosition(1, 150));
        java.util.function.Predicate<NodeState> mayLead = s -> s.name().equals("b1");
        var choice = CandidateChoice.choose(members, fixed, SYNC, SYNC, "IDC2", mayLead);
        var refused = assertThrows(CandidateChoice.NoSafeCandidate.class, () -> CandidateChoice.afterFastForwardTimedOut(choice, mayLead));
        assertTrue(refused.getMessage().contains("dr in IDC3 (DR city) is never promoted"), refused.getMessage());
    }

    @Test
    void aFastForwardThatTimesOutPromotesASourceThatMayLead() {
        var choice = CandidateChoice.choose(GROUP, fixed(90, 100, 120), SYNC, SYNC, "IDC1", s -> true);
        assertEquals("b2", CandidateChoice.afterFastForwardTimedOut(choice, s -> true).name());
    }

    private static Map<String, WalPosition> fixed(long l, long b1, long b2) {
        return Map.of("l", new WalPosition(1, l), "b1", new WalPosition(1, b1), "b2", new WalPosition(1, b2));
    }
}
