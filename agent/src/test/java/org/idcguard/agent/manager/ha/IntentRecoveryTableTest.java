package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.idcguard.agent.manager.ha.IntentRecoveryTable.Action;
import org.idcguard.agent.manager.ha.IntentRecoveryTable.Candidate;
import org.idcguard.agent.manager.ha.IntentRecoveryTable.Facts;
import org.junit.jupiter.api.Test;

/** The recovery table row by row, and the rules that hold across every combination of facts. */
class IntentRecoveryTableTest {

    /** A takeover killed at its promoting step, its candidate answering in recovery: the usual case. */
    private static Facts promoting(IntentKind kind, Candidate candidate) {
        return new Facts(kind, IntentStep.PROMOTING, true, true, false, candidate, false, false, Optional.empty());
    }

    private static Action decide(Facts f) {
        return IntentRecoveryTable.decide(f).action();
    }

    @Test
    void row1ADeletedClusterIsAbandoned() {
        assertEquals(Action.ABANDON, decide(new Facts(IntentKind.FAILOVER, IntentStep.PROMOTING, false, false, false,
                Candidate.SILENT, false, false, Optional.empty())));
    }

    @Test
    void row2aAnIntentWrittenByANewerManagerIsLeftAlone() {
        assertEquals(Action.WAIT, decide(new Facts(IntentKind.UNKNOWN, IntentStep.PROMOTING, true, true, false,
                Candidate.PROMOTED, false, false, Optional.empty())));
        assertEquals(Action.WAIT, decide(new Facts(IntentKind.FAILOVER, IntentStep.fromStored("handing-over"), true, true, false,
                Candidate.IN_RECOVERY, false, false, Optional.empty())));
        assertEquals(IntentKind.UNKNOWN, IntentKind.fromStored("dr-add"));
    }

    @Test
    void row2NothingSentIsRolledBackWhateverTheCandidateSays() {
        for (IntentStep step : List.of(IntentStep.CHOSEN, IntentStep.DETACHED)) {
            for (Candidate c : Candidate.values()) {
                assertEquals(Action.ROLL_BACK, decide(new Facts(IntentKind.FAILOVER, step, true, true, false, c, true, true,
                        Optional.empty())), step + " " + c);
            }
        }
    }

    @Test
    void row3NodesNoLongerRecordedAbandon() {
        assertEquals(Action.ABANDON, decide(new Facts(IntentKind.FAILOVER, IntentStep.PROMOTING, true, false, false,
                Candidate.SILENT, true, false, Optional.empty())));
    }

    @Test
    void row4ACandidateAlreadyRecordedEndsDone() {
        assertEquals(Action.END_DONE, decide(new Facts(IntentKind.SWITCH, IntentStep.PROMOTING, true, true, true,
                Candidate.SILENT, true, false, Optional.empty())));
    }

    @Test
    void row5ASilentCandidateNotYetDownIsWaitedFor() {
        assertEquals(Action.WAIT, decide(promoting(IntentKind.FAILOVER, Candidate.SILENT)));
    }

    @Test
    void row6ADownCandidateThatMayHoldAnAcknowledgedCommitIsWaitedFor() {
        assertEquals(Action.WAIT, decide(new Facts(IntentKind.FAILOVER, IntentStep.PROMOTING, true, true, false,
                Candidate.SILENT, true, true, Optional.empty())));
    }

    @Test
    void row7ADownCandidateThatHoldsNoAcknowledgedCommitIsRecordedAsThePrimaryItMayBe() {
        assertEquals(Action.RECORD_SILENT_CANDIDATE, decide(new Facts(IntentKind.FAILOVER, IntentStep.PROMOTING, true, true, false,
                Candidate.SILENT, true, false, Optional.empty())));
    }

    @Test
    void row8ASwitchWhosePromoteFileCannotBeReadWaits() {
        assertEquals(Action.WAIT, decide(promoting(IntentKind.SWITCH, Candidate.IN_RECOVERY)));
    }

    @Test
    void row9ASwitchThatNeverSentPgPromoteIsRolledBack() {
        assertEquals(Action.ROLL_BACK_SWITCH, decide(new Facts(IntentKind.SWITCH, IntentStep.PROMOTING, true, true, false,
                Candidate.IN_RECOVERY, false, false, Optional.of(false))));
    }

    @Test
    void row10ABackupCityCandidateInRecoveryIsPromotedAtItsHeldTarget() {
        assertEquals(Action.PROMOTE_HELD_RECORD, decide(promoting(IntentKind.DR, Candidate.IN_RECOVERY)));
    }

    @Test
    void row11APromotedBackupCityCandidateHasItsTargetCleared() {
        assertEquals(Action.CLEAR_TARGET_RECORD, decide(promoting(IntentKind.DR, Candidate.PROMOTED)));
    }

    @Test
    void row12ACandidateInRecoveryGetsItsSyncSetBeforeItIsPromoted() {
        assertEquals(Action.SET_SYNC_SET_PROMOTE_RECORD, decide(promoting(IntentKind.FAILOVER, Candidate.IN_RECOVERY)));
        assertEquals(Action.SET_SYNC_SET_PROMOTE_RECORD, decide(new Facts(IntentKind.SWITCH, IntentStep.PROMOTING, true, true, false,
                Candidate.IN_RECOVERY, false, false, Optional.of(true))), "a switch that sent pg_promote is carried through");
    }

    @Test
    void row13APromotedCandidateIsRecorded() {
        assertEquals(Action.RECORD, decide(promoting(IntentKind.FAILOVER, Candidate.PROMOTED)));
        assertEquals(Action.RECORD, decide(promoting(IntentKind.SWITCH, Candidate.PROMOTED)));
    }

    @Test
    void anEndedIntentIsNotResolvedAgain() {
        assertThrows(IllegalArgumentException.class, () -> decide(new Facts(IntentKind.FAILOVER, IntentStep.DONE, true, true, false,
                Candidate.PROMOTED, false, false, Optional.empty())));
    }

    /** Every combination of facts an open intent can present. */
    private static List<Facts> everyCombination() {
        List<Facts> all = new ArrayList<>();
        List<Optional<Boolean>> asked = List.of(Optional.empty(), Optional.of(true), Optional.of(false));
        for (IntentKind kind : IntentKind.values()) {
            for (IntentStep step : IntentStep.values()) {
                if (step.isFinal()) {
                    continue;
                }
                for (boolean cluster : new boolean[] {true, false}) {
                    for (boolean nodes : new boolean[] {true, false}) {
                        for (boolean recordedPrimary : new boolean[] {true, false}) {
                            for (Candidate c : Candidate.values()) {
                                for (boolean down : new boolean[] {true, false}) {
                                    for (boolean mayHold : new boolean[] {true, false}) {
                                        for (Optional<Boolean> requested : asked) {
                                            all.add(new Facts(kind, step, cluster, nodes, recordedPrimary, c, down, mayHold, requested));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return all;
    }

    private static final Set<Action> PROMOTES = EnumSet.of(Action.SET_SYNC_SET_PROMOTE_RECORD, Action.PROMOTE_HELD_RECORD);
    private static final Set<Action> MAKES_A_PRIMARY = EnumSet.of(Action.SET_SYNC_SET_PROMOTE_RECORD, Action.PROMOTE_HELD_RECORD,
            Action.RECORD, Action.CLEAR_TARGET_RECORD, Action.RECORD_SILENT_CANDIDATE);

    @Test
    void acrossEveryCombinationNothingIsPromotedThatWasNeverSentAndNothingPromotedIsRolledBack() {
        Set<String> rowsUsed = new HashSet<>();
        for (Facts f : everyCombination()) {
            IntentRecoveryTable.Row row = IntentRecoveryTable.decide(f);
            rowsUsed.add(row.when());
            if (!f.step().mayHavePromoted()) {
                assertFalse(MAKES_A_PRIMARY.contains(row.action()), "promoted from a step that never sent pg_promote: " + f);
            }
            boolean known = f.kind() != IntentKind.UNKNOWN && f.step() != IntentStep.UNKNOWN;
            if (!known && f.clusterRecorded()) {
                assertEquals(Action.WAIT, row.action(), "a word this manager does not know is left to a DBA: " + f);
            }
            if (known && f.clusterRecorded() && f.nodesRecorded() && !f.candidateRecordedPrimary() && f.step().mayHavePromoted()
                    && f.candidate() == Candidate.PROMOTED) {
                assertTrue(EnumSet.of(Action.RECORD, Action.CLEAR_TARGET_RECORD).contains(row.action()),
                        "a candidate answering as primary is recorded, never rolled back: " + f + " -> " + row.action());
            }
            if (f.candidate() == Candidate.SILENT && f.mayHoldAcknowledged()) {
                assertFalse(MAKES_A_PRIMARY.contains(row.action()) && f.step().mayHavePromoted() && f.nodesRecorded()
                        && !f.candidateRecordedPrimary(), "a silent candidate that may hold the only copy is waited for: " + f);
            }
            if (PROMOTES.contains(row.action())) {
                assertEquals(Candidate.IN_RECOVERY, f.candidate(), "only a standby is promoted: " + f);
            }
            if (row.action() == Action.ROLL_BACK_SWITCH) {
                assertEquals(Optional.of(false), f.promotionRequested(), "a switch is rolled back only when pg_promote was never sent");
            }
        }
        assertEquals(IntentRecoveryTable.TABLE.size(), rowsUsed.size(), "every row is reached by some combination");
    }

    /** Where each action leaves the intent: ended done, ended abandoned, or where it was (waiting). */
    private static Optional<IntentStep> endsAt(Action action) {
        return switch (action) {
            case WAIT -> Optional.empty();
            case ABANDON, ROLL_BACK, ROLL_BACK_SWITCH -> Optional.of(IntentStep.ABANDONED);
            case END_DONE, RECORD_SILENT_CANDIDATE, SET_SYNC_SET_PROMOTE_RECORD, PROMOTE_HELD_RECORD, RECORD, CLEAR_TARGET_RECORD ->
                    Optional.of(IntentStep.DONE);
        };
    }

    @Test
    void recoveryNeverMovesAnIntentWhereItsKindsStateMachineDoesNotGo() {
        for (Facts f : everyCombination()) {
            if (!f.kind().steps().contains(f.step())) {
                continue; // a step this kind never records (the store refuses to write it)
            }
            Action action = IntentRecoveryTable.decide(f).action();
            endsAt(action).ifPresent(to -> assertTrue(f.kind().allows(f.step(), to),
                    f.kind() + " at " + f.step() + " cannot end " + to + ", yet recovery would: " + action + " for " + f));
        }
    }
}
