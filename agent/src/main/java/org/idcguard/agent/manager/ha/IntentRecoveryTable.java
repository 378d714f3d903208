package org.idcguard.agent.manager.ha;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * How an intent nobody carries out any more is ended, as a pure table: {@link Facts} in (the record and one look at
 * the candidate), one {@link Action} out. Read top to bottom, the first row that holds decides. {@link IntentRecovery}
 * gathers the facts and carries the action out; every row is unit-tested without PostgreSQL, and so is the rule that
 * holds across them all: nothing is rolled back once a candidate answers as promoted, nothing is promoted from a step
 * that never sent pg_promote.
 */
final class IntentRecoveryTable {

    private IntentRecoveryTable() {
    }

    /** Where the candidate stands, as one look at it says. */
    enum Candidate {
        /** It answers and is still a standby. */
        IN_RECOVERY,
        /** It answers as a primary. */
        PROMOTED,
        /** It does not answer: whether it was promoted cannot be known. */
        SILENT
    }

    /**
     * What recovery knows.
     *
     * @param candidateDown             the loop's probes found the candidate down (K failed probes), not slow once
     * @param mayHoldAcknowledged       the candidate is in a sync set the old primary may have waited for
     * @param promotionRequested        for a switch's candidate in recovery: whether pg_promote was sent (its promote
     *                                  file); empty when not asked or the candidate stopped answering since
     */
    record Facts(IntentKind kind, IntentStep step, boolean clusterRecorded, boolean nodesRecorded, boolean candidateRecordedPrimary,
                 Candidate candidate, boolean candidateDown, boolean mayHoldAcknowledged, Optional<Boolean> promotionRequested) {
    }

    enum Action {
        /** End the intent as abandoned: there is nothing left to carry it out on. */
        ABANDON,
        /** End it as rolled back: nothing was promoted; the loop reattaches detached standbys and judges afresh. */
        ROLL_BACK,
        /** End it as done: the record already says what it was to say. */
        END_DONE,
        /** Leave it open and say why; asked again on a later tick. */
        WAIT,
        /** Record the silent candidate as the primary it may have become; the usual rules fail it over. */
        RECORD_SILENT_CANDIDATE,
        /** Start the old primary again if it is stopped, point the standbys back at it, end the switch as abandoned. */
        ROLL_BACK_SWITCH,
        /** Record and set the candidate's sync set first, then promote it, then record the roles. */
        SET_SYNC_SET_PROMOTE_RECORD,
        /** Promote a backup-city candidate at its held recovery target, then record the roles. */
        PROMOTE_HELD_RECORD,
        /** Record the roles of a candidate that answers as promoted. */
        RECORD,
        /** Clear a promoted backup-city candidate's recovery target, then record the roles. */
        CLEAR_TARGET_RECORD
    }

    /** One row: when, then (as words, for the docs and test names) and as code. */
    record Row(String when, String then, Predicate<Facts> applies, Action action) {
    }

    static final List<Row> TABLE = List.of(
            new Row("the cluster is no longer recorded", "abandon", f -> !f.clusterRecorded(), Action.ABANDON),
            new Row("the kind or step is a word this manager does not know (a newer one wrote it)", "wait: left to a DBA",
                    f -> f.kind() == IntentKind.UNKNOWN || f.step() == IntentStep.UNKNOWN, Action.WAIT),
            new Row("the step never sent pg_promote (chosen, detached)", "roll back: nothing was promoted",
                    f -> !f.step().mayHavePromoted(), Action.ROLL_BACK),
            new Row("the old primary or the candidate is no longer recorded", "abandon", f -> !f.nodesRecorded(), Action.ABANDON),
            new Row("the candidate is already recorded as primary", "end as done", Facts::candidateRecordedPrimary, Action.END_DONE),
            new Row("the candidate is silent and not (yet) counted down", "wait: one failed probe is not a lost node",
                    f -> f.candidate() == Candidate.SILENT && !f.candidateDown(), Action.WAIT),
            new Row("the candidate is down and may hold a commit the old primary acknowledged", "wait for it: it may hold the only copy",
                    f -> f.candidate() == Candidate.SILENT && f.mayHoldAcknowledged(), Action.WAIT),
            new Row("the candidate is down and could hold no acknowledged commit", "record it as the primary it may be; the usual "
                    + "rules fail it over from the standbys the old primary waited for",
                    f -> f.candidate() == Candidate.SILENT, Action.RECORD_SILENT_CANDIDATE),
            new Row("a switch's candidate is in recovery and whether pg_promote was sent cannot be read", "wait: asked again",
                    f -> f.kind() == IntentKind.SWITCH && f.candidate() == Candidate.IN_RECOVERY && f.promotionRequested().isEmpty(),
                    Action.WAIT),
            new Row("a switch's candidate is in recovery and pg_promote was never sent", "roll the switch back: start the old "
                    + "primary again, which holds everything, and point the standbys back at it",
                    f -> f.kind() == IntentKind.SWITCH && f.candidate() == Candidate.IN_RECOVERY && !f.promotionRequested().get(),
                    Action.ROLL_BACK_SWITCH),
            new Row("a backup-city candidate is in recovery", "promote it at its held recovery target, then record",
                    f -> f.kind() == IntentKind.DR && f.candidate() == Candidate.IN_RECOVERY, Action.PROMOTE_HELD_RECORD),
            new Row("a backup-city candidate answers as promoted", "clear its recovery target, then record",
                    f -> f.kind() == IntentKind.DR, Action.CLEAR_TARGET_RECORD),
            new Row("the candidate is in recovery (a takeover, or a switch whose pg_promote was sent)", "set its sync set (recorded "
                    + "first), promote it, record: its first commit must wait for the other IDC",
                    f -> f.candidate() == Candidate.IN_RECOVERY, Action.SET_SYNC_SET_PROMOTE_RECORD),
            new Row("the candidate answers as promoted", "record it", f -> true, Action.RECORD));

    static Row decide(Facts f) {
        if (f.step().isFinal()) {
            throw new IllegalArgumentException("intent already ended at " + f.step());
        }
        return TABLE.stream().filter(r -> r.applies().test(f)).findFirst().orElseThrow();
    }
}
