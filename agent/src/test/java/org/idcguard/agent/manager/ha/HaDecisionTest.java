package org.idcguard.agent.manager.ha;

import static org.idcguard.agent.manager.ha.HaFixtures.down;
import static org.idcguard.agent.manager.ha.HaFixtures.facts;
import static org.idcguard.agent.manager.ha.HaFixtures.hearingPrimary;
import static org.idcguard.agent.manager.ha.HaFixtures.markedForRejoin;
import static org.idcguard.agent.manager.ha.HaFixtures.missedProbes;
import static org.idcguard.agent.manager.ha.HaFixtures.primaryDown;
import static org.idcguard.agent.manager.ha.HaFixtures.primaryUp;
import static org.idcguard.agent.manager.ha.HaFixtures.standby;
import static org.idcguard.agent.manager.ha.HaFixtures.standbyObservation;
import static org.idcguard.agent.manager.ha.HaFixtures.writable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.idcguard.agent.manager.ha.HaAction.Kind;
import org.junit.jupiter.api.Test;

/** The HA decision table, row by row, without PostgreSQL. */
class HaDecisionTest {
    private static final List<String> SYNC = List.of("b1", "b2");

    @Test
    void row1AnOpenIntentIsResolvedBeforeAnythingElse() {
        var actions = HaDecision.decide(facts(primaryDown(), writable("b1", "IDC2"), standby("b2", "IDC2", 100)).intent("promoting").build());
        assertEquals(List.of(Kind.RESOLVE_INTENT), kinds(actions), "no fence, no failover while an intent is open");
    }

    @Test
    void row2WithoutARecordedPrimaryNothingIsDone() {
        assertEquals(List.of(Kind.WAIT), kinds(HaDecision.decide(facts(standby("b1", "IDC2", 100)).build())));
    }

    @Test
    void row3ARogueWritableNodeIsFencedAndTheDecisionGoesOn() {
        NodeState p = primaryUp(SYNC, SYNC);
        var actions = HaDecision.decide(facts(p, writable("l", "IDC1"), standby("b1", "IDC2", 100), standby("b2", "IDC2", 100)).build());
        assertEquals(List.of(Kind.FENCE, Kind.WAIT), kinds(actions));
        assertEquals("l", actions.get(0).node());
    }

    @Test
    void row3AFencedNodeIsFencedEvenWhenThePrimaryIsDownAndAFailoverFollows() {
        NodeState p = primaryDown();
        var actions = HaDecision.decide(facts(p, writable("l", "IDC1"), standby("b1", "IDC2", 100), standby("b2", "IDC2", 100))
                .idcDown("IDC1").build());
        assertEquals(List.of(Kind.FENCE, Kind.FAIL_OVER), kinds(actions));
    }

    @Test
    void row4aARecordedPrimaryInRecoveryFollowingNobodyForLongIsStopped() {
        // a takeover's candidate recorded while silent and never promoted (found by TakeoverSimulationTest, seed 2199)
        NodeState p = new NodeState(HaFixtures.record("p", "IDC1", "primary", false), 0, false,
                Optional.of(standbyObservation(100, Optional.empty(), false)));
        var actions = HaDecision.decide(facts(p, standby("b1", "IDC2", 100), standby("b2", "IDC2", 100))
                .lingering("recovering:p", 11_000).lingering("unpromoted:p", 11_000).build());
        assertEquals(List.of(Kind.STOP_PRIMARY), kinds(actions), actions.toString());
        assertEquals(List.of(Kind.WAIT), kinds(HaDecision.decide(facts(p, standby("b1", "IDC2", 100))
                        .lingering("recovering:p", 500).lingering("unpromoted:p", 500).build())),
                "not before 10 s: a probe may catch a candidate a moment before its promotion ends");
        assertEquals(List.of(Kind.NOTICE), kinds(HaDecision.decide(facts(p, standby("b1", "IDC2", 100))
                        .lingering("recovering:p", 11_000).lingering("unpromoted:p", 500).build())),
                "in recovery for long but following nobody only just now (a DBA's doing): left to the DBA");
    }

    @Test
    void row4APrimaryInRecoveryForLongIsReportedOnce() {
        NodeState p = new NodeState(HaFixtures.record("p", "IDC1", "primary", false), 0, false,
                Optional.of(standbyObservation(100, Optional.empty(), true)));
        var actions = HaDecision.decide(facts(p, standby("b1", "IDC2", 100)).lingering("recovering:p", 11_000).build());
        assertEquals(List.of(Kind.NOTICE), kinds(actions));
        assertEquals("node.unexpected", actions.get(0).detail());
    }

    @Test
    void row5APrimaryBrieflyInRecoveryIsWaitedFor() {
        NodeState p = new NodeState(HaFixtures.record("p", "IDC1", "primary", false), 0, false,
                Optional.of(standbyObservation(100, Optional.empty(), true)));
        assertEquals(List.of(Kind.WAIT), kinds(HaDecision.decide(facts(p, standby("b1", "IDC2", 100)).lingering("recovering:p", 500).build())));
    }

    @Test
    void row6AHealthyGroupWithItsSyncSetInPlaceNeedsNothing() {
        NodeState p = primaryUp(SYNC, List.of("b1", "b2", "l"));
        var actions = HaDecision.decide(facts(p, standby("l", "IDC1", 100), standby("b1", "IDC2", 100), standby("b2", "IDC2", 100)).build());
        assertEquals(List.of(Kind.WAIT), kinds(actions), actions.toString());
    }

    @Test
    void row6ASyncSetThatDoesNotMatchHealthIsMaintained() {
        NodeState p = primaryUp(SYNC, List.of("b1", "l")); // b2 no longer streams
        var actions = HaDecision.decide(facts(p, standby("l", "IDC1", 100), standby("b1", "IDC2", 100), down("b2", "IDC2")).build());
        assertEquals(Kind.MAINTAIN_SYNC, actions.get(0).kind());
        assertEquals(List.of(Kind.MAINTAIN_SYNC, Kind.START_STANDBY), kinds(actions));
    }

    @Test
    void row6UnderStrictAPrimaryWithNoStandbyOutsideItsIdcSaysCommitsWait() {
        NodeState p = primaryUp(SYNC, List.of("l"));
        var actions = HaDecision.decide(facts(p, standby("l", "IDC1", 100), down("b1", "IDC2"), down("b2", "IDC2")).strict().build());
        assertEquals(List.of(Kind.NOTICE, Kind.START_STANDBY, Kind.START_STANDBY), kinds(actions), actions.toString());
        assertEquals("alert.commits-waiting", actions.get(0).detail());
    }

    @Test
    void row6bAnAnsweringPrimaryWhoseLeaseNobodyRenewsIsFailedOverWithinItsIdcThoughItsStandbysHearIt() {
        NodeState p = primaryUp(SYNC, List.of("b1", "b2", "l"));
        var actions = HaDecision.decide(facts(p, standby("l", "IDC1", 100), standby("b1", "IDC2", hearingPrimary(p)),
                standby("b2", "IDC2", 100)).lingering("lease-unrenewed:p", 10_001).build()); // over a node agent's restart
        assertEquals(List.of(Kind.FAIL_OVER), kinds(actions), actions.toString());
        assertEquals("IDC1", actions.get(0).detail(), "its IDC lives: the local standby is preferred, as for a lost primary");
        assertTrue(actions.get(0).sentence().contains("lease file has not been rewritten for 10001 ms"), actions.get(0).sentence());
    }

    @Test
    void row6bALeaseRewrittenWithinTenSecondsIsNoReasonToFailOver() {
        for (long unchanged : new long[] {0, 1_400, 3_001, 10_000}) { // 3 s: a node agent restarting
            NodeState p = primaryUp(SYNC, List.of("b1", "b2", "l"));
            var actions = HaDecision.decide(facts(p, standby("l", "IDC1", 100), standby("b1", "IDC2", 100), standby("b2", "IDC2", 100))
                    .lingering("lease-unrenewed:p", unchanged).build());
            assertEquals(List.of(Kind.WAIT), kinds(actions), "lease file unchanged for " + unchanged + " ms: " + actions);
        }
    }

    @Test
    void row6APrimaryAcknowledgingWithoutTheLeaseCheckForTwoWindowsIsAnAlertOnce() {
        NodeState p = primaryUp(SYNC, List.of("b1", "b2", "l")); // no lease file, no library: leaseEnforced() is false
        var members = new NodeState[] {p, standby("l", "IDC1", 100), standby("b1", "IDC2", 100), standby("b2", "IDC2", 100)};
        assertEquals(List.of(Kind.WAIT), kinds(HaDecision.decide(facts(members).lingering("unleased:p", 3_000).build())),
                "a promoted primary's first lease is on its way for a moment");
        var actions = HaDecision.decide(facts(members).lingering("unleased:p", 3_001).build());
        assertEquals(List.of(Kind.NOTICE), kinds(actions), actions.toString());
        assertEquals("alert.lease-unenforced", actions.get(0).detail());
        assertTrue(actions.get(0).sentence().contains("idcguard_lease library is not loaded"), actions.get(0).sentence());
    }

    @Test
    void row7OneSlowProbeNeverFailsAPrimaryOver() {
        NodeState p = missedProbes(primaryDown(), 2);
        var actions = HaDecision.decide(facts(p, standby("b1", "IDC2", 100), standby("b2", "IDC2", 100)).build());
        assertEquals(List.of(Kind.WAIT), kinds(actions));
    }

    @Test
    void row8WhenNobodyAnswersTheStoppedPrimaryIsStarted() {
        var actions = HaDecision.decide(facts(primaryDown(), down("b1", "IDC2"), down("b2", "IDC2")).build());
        assertEquals(List.of(Kind.START_PRIMARY, Kind.NOTICE), kinds(actions));
        assertEquals("failover.impossible", actions.get(1).detail());
    }

    @Test
    void row9AStandbyStillHearingThePrimaryWithholdsTheFailover() {
        NodeState p = primaryDown();
        var actions = HaDecision.decide(facts(p, standby("b1", "IDC2", hearingPrimary(p)), standby("b2", "IDC2", 100)).build());
        assertEquals(List.of(Kind.NOTICE), kinds(actions));
        assertEquals("failover.withheld", actions.get(0).detail());
        assertTrue(actions.get(0).sentence().contains("b1 still receive its WAL"), actions.get(0).sentence());
    }

    @Test
    void row10APrimaryDownWhoseStandbysConfirmIsFailedOverToTheOtherIdcWhenItsIdcIsDown() {
        var actions = HaDecision.decide(facts(primaryDown(), down("l", "IDC1"), standby("b1", "IDC2", 100), standby("b2", "IDC2", 100))
                .idcDown("IDC1").build());
        assertEquals(List.of(Kind.FAIL_OVER), kinds(actions));
        assertEquals("IDC2", actions.get(0).detail());
        assertTrue(actions.get(0).sentence().startsWith("IDC IDC1 is down"), actions.get(0).sentence());
    }

    @Test
    void row10AStoppedStandbyThatMayHoldAcknowledgedCommitsIsStartedForTheFailover() {
        var actions = HaDecision.decide(facts(primaryDown(), down("l", "IDC1"), down("b1", "IDC2"), standby("b2", "IDC2", 100))
                .idcDown("IDC1").build());
        assertEquals(List.of(Kind.FAIL_OVER, Kind.START_STANDBY), kinds(actions), "l is in no sync set: it is not waited for");
        assertEquals("b1", actions.get(1).node());
    }

    @Test
    void row10APrimaryLostAloneIsFailedOverWithinItsIdc() {
        var actions = HaDecision.decide(facts(primaryDown(), standby("l", "IDC1", 100), standby("b1", "IDC2", 100),
                standby("b2", "IDC2", 100)).build());
        assertEquals("IDC1", actions.get(0).detail());
    }

    @Test
    void standbyRow1AMarkedNodeIsRejoined() {
        NodeState p = primaryUp(SYNC, SYNC);
        var actions = HaDecision.decide(facts(p, standby("b1", "IDC2", 100), standby("b2", "IDC2", 100),
                markedForRejoin(down("l", "IDC1"))).build());
        assertEquals(List.of(Kind.REJOIN), kinds(actions));
    }

    @Test
    void standbyRow3ADetachedStandbyIsReattached() {
        NodeState p = primaryUp(SYNC, List.of("b1"));
        NodeState detached = standby("b2", "IDC2", standbyObservation(100, Optional.empty(), false));
        var actions = HaDecision.decide(facts(p, standby("b1", "IDC2", 100), detached).sync("b1").build());
        assertTrue(kinds(actions).contains(Kind.REATTACH), actions.toString());
    }

    @Test
    void standbyRow4AStandbyAstrayForTenSecondsIsMarked() {
        NodeState p = primaryUp(SYNC, SYNC);
        var astray = facts(p, standby("b1", "IDC2", 100), standby("b2", "IDC2", 100), standby("l", "IDC1", 100));
        assertEquals(List.of(Kind.WAIT), kinds(HaDecision.decide(astray.lingering("astray:l", 9_000).build())));
        assertEquals(List.of(Kind.MARK_ASTRAY), kinds(HaDecision.decide(astray.lingering("astray:l", 10_500).build())));
    }

    @Test
    void aLocalStandbyThatStalledIsNoLongerWaitedForUnderTheAvailablePolicy() {
        // IDC2 lost: the primary waits for its local standby l, which answers but does not stream from it
        NodeState p = primaryUp(List.of("l"), List.of());
        var group = facts(p, down("b1", "IDC2"), down("b2", "IDC2"), standby("l", "IDC1", 100)).sync("l");
        assertFalse(HaDecision.syncSetNeedsWork(group.lingering("astray:l", 1_000).build()),
                "a repointed standby gets a moment to connect");
        assertTrue(HaDecision.syncSetNeedsWork(group.lingering("astray:l", 2_500).build()),
                "then commits stop waiting for it rather than until it is rewound");
    }

    @Test
    void row9AnAsynchronousStandbyHearingThePrimaryDoesNotWithholdTheFailover() {
        // IDC1 cut off from IDC2 and the manager, not from its own local standby l (or the DR city): l still hears the
        // primary, but commits wait for b1 or b2, which confirm the stream stopped
        NodeState p = primaryDown();
        var actions = HaDecision.decide(facts(p, standby("l", "IDC1", hearingPrimary(p)), standby("b1", "IDC2", 100),
                standby("b2", "IDC2", 100)).build());
        assertEquals(Kind.FAIL_OVER, actions.get(0).kind(), actions.toString());
    }

    @Test
    void aStandbyThePrimaryWaitsForIsNotDroppedTheMomentItStopsStreaming() {
        // IDC1 powered off: the primary's WAL senders die a moment before it stops answering, and a probe in between
        // sees b1 and b2 answer but no longer stream. Dropping them then would leave the takeover nobody to promote.
        NodeState p = primaryUp(SYNC, List.of("l"));
        var group = facts(p, standby("l", "IDC1", 100), standby("b1", "IDC2", 100), standby("b2", "IDC2", 100));
        assertFalse(HaDecision.syncSetNeedsWork(group.lingering("astray:b1", 0).lingering("astray:b2", 0).build()),
                "their silence is the primary's failure until it has lasted while the primary answered");
        assertTrue(HaDecision.syncSetNeedsWork(group.lingering("astray:b1", 2_500).lingering("astray:b2", 2_500).build()),
                "a standby silent while its primary answers is dropped");
    }

    @Test
    void standbysStillNamedAsMayHoldingCommitsAreForgottenByTheKeeper() {
        // a switch or a narrowing left old names in the record of who may hold an acknowledged commit
        NodeState p = primaryUp(SYNC, List.of("b1", "b2"));
        var members = new NodeState[] {p, standby("b1", "IDC2", 100), standby("b2", "IDC2", 100)};
        var stale = new GroupFacts(HaFixtures.cluster("available"), new org.idcguard.agent.manager.cluster.GroupRecord("c", "g",
                "shard", 1, SYNC, 1, List.of("b1", "b2", "old")), List.of(members), java.util.Set.of(),
                org.idcguard.model.HaSettings.DEFAULTS, HaFixtures.NOW, Optional.empty(), java.util.Map.of());
        assertTrue(HaDecision.syncSetNeedsWork(stale));
        assertFalse(HaDecision.syncSetNeedsWork(facts(members).build()));
    }

    @Test
    void aStandbyNotYetWaitedForIsNotAddedBeforeItStreams() {
        NodeState p = primaryUp(List.of("b1"), List.of("b1"));
        var group = facts(p, standby("b1", "IDC2", 100), standby("b2", "IDC2", 100)).sync("b1");
        assertFalse(HaDecision.syncSetNeedsWork(group.build()), "b2 answers but does not stream: commits do not wait for it");
    }

    @Test
    void everyRowSaysWhenAndThen() {
        HaDecision.GROUP_TABLE.forEach(r -> assertTrue(!r.when().isBlank() && !r.then().isBlank()));
        HaDecision.STANDBY_TABLE.forEach(r -> assertTrue(!r.when().isBlank() && !r.then().isBlank()));
        assertEquals(12, HaDecision.GROUP_TABLE.size(), "a new row needs its own test here");
        assertEquals(4, HaDecision.STANDBY_TABLE.size(), "a new row needs its own test here");
    }

    private static List<Kind> kinds(List<HaAction> actions) {
        return actions.stream().map(HaAction::kind).collect(Collectors.toList());
    }
}
