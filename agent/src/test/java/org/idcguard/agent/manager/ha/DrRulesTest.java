package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.junit.jupiter.api.Test;

/**
 * The DR city in the pure rules: a DR standby is never waited for while the primary is in the main city (not even when
 * the backup IDC is lost), the manager never promotes it on its own (though a candidate may be fast-forwarded from
 * it), a primary in the DR city waits for the main city, and the time a DR standby lags is read off the primary's
 * sampled positions.
 */
class DrRulesTest {
    private static final ClusterRecord DR = new ClusterRecord("c", "cross-city", "Shenzhen", "IDC1", "IDC2", 1, 2, "app", "app",
            "pw", "admin", "pw", "available", ClusterRecord.RUNNING, List.of(), "IDC3");

    @Test
    void aDrStandbyIsNeverWaitedForWhileThePrimaryIsInTheMainCity() {
        NodeState primary = HaFixtures.primaryUp(List.of("b1"), List.of("l", "b1", "d"));
        List<NodeState> members = List.of(primary, HaFixtures.standby("l", "IDC1", 100), HaFixtures.standby("b1", "IDC2", 100),
                HaFixtures.standby("d", "IDC3", 100));
        assertEquals(List.of("b1"), SyncSetRule.desired(DR, primary, members, Set.of()).standbys());

        List<NodeState> backupLost = List.of(primary, HaFixtures.standby("l", "IDC1", 100), HaFixtures.down("b1", "IDC2"),
                HaFixtures.standby("d", "IDC3", 100));
        SyncSetRule.Desired narrowed = SyncSetRule.desired(DR, primary, backupLost, Set.of());
        assertEquals(List.of("l"), narrowed.standbys(), "the available policy narrows to the local standby, never to the DR city");
        assertFalse(narrowed.protectedAcrossIdcs());
    }

    @Test
    void aPrimaryInTheDrCityWaitsForTheMainCity() {
        assertTrue(DR.mayWaitFor("IDC3", "IDC1"));
        assertTrue(DR.mayWaitFor("IDC3", "IDC2"));
        assertFalse(DR.mayWaitFor("IDC1", "IDC3"));
        assertTrue(DR.mayWaitFor("IDC1", "IDC2"));
        assertFalse(DR.mayWaitFor("IDC1", "IDC1"));
    }

    @Test
    void theManagerNeverPromotesADrStandbyButMayFastForwardFromIt() {
        NodeState b1 = HaFixtures.standby("b1", "IDC2", 100);
        NodeState d = HaFixtures.standby("d", "IDC3", 120);
        Map<String, WalPosition> fixed = Map.of("b1", new WalPosition(1, 100), "d", new WalPosition(1, 120));
        CandidateChoice.Choice choice = CandidateChoice.choose(List.of(HaFixtures.primaryDown(), b1, d), fixed, List.of("b1"),
                Set.of("b1"), "IDC3", s -> !DR.isDr(s.idc()));
        assertEquals("b1", choice.candidate().name(), "even when the DR standby is ahead and its IDC preferred");
        assertEquals(Optional.of("d"), choice.fastForwardFrom().map(NodeState::name));

        assertThrows(CandidateChoice.NoSafeCandidate.class, () -> CandidateChoice.choose(List.of(HaFixtures.primaryDown(), d),
                Map.of("d", new WalPosition(1, 120)), List.of("b1"), Set.of(), "IDC2", s -> !DR.isDr(s.idc())),
                "only a DR standby left: nobody is promoted");
    }

    @Test
    void theTimeADrStandbyLagsIsReadOffThePrimarysSamples() {
        Deque<long[]> samples = new ArrayDeque<>(List.of(new long[] {1000, 100}, new long[] {1500, 200}, new long[] {2000, 300},
                new long[] {2500, 300}));
        assertEquals(0, DrWatch.lagMillis(samples, 300), "holding the newest position, it lacks nothing");
        assertEquals(1000, DrWatch.lagMillis(samples, 200), "it lacks what was written after 1500");
        assertEquals(1500, DrWatch.lagMillis(samples, 100));
        assertEquals(1500, DrWatch.lagMillis(samples, 50), "older than every sample: at least the whole history");
    }
}
