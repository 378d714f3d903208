package org.idcguard.agent.manager.ha;

/**
 * One thing the HA loop does for a group, with the sentence that says why (logged, recorded for notices, asserted in
 * tests).
 *
 * @param node   the node acted on, or the group's primary for group-wide actions
 * @param detail for {@code FAIL_OVER} the preferred IDC, for {@code NOTICE} the event kind
 */
public record HaAction(Kind kind, String node, String detail, String sentence) {

    public enum Kind {
        /** End an intent nobody carries out any more ({@link IntentRecovery}). */
        RESOLVE_INTENT,
        /** Stop a node that takes writes but is not the recorded primary. */
        FENCE,
        /** Move the primary role to a standby ({@link PrimaryFailover}). */
        FAIL_OVER,
        /**
         * Stop a recorded primary that answers in recovery and follows nobody (a candidate recorded while silent and never
         * promoted), keeping its record: once it is down the usual rules fail the group over.
         */
        STOP_PRIMARY,
        /** Start a stopped recorded primary when no node of its group runs. */
        START_PRIMARY,
        /** Bring the sync set in line with the standbys' health ({@link SyncSetKeeper}). */
        MAINTAIN_SYNC,
        /** Point a detached standby at the recorded primary. */
        REATTACH,
        /** Rewind a node marked for rejoin and start it as a standby. */
        REJOIN,
        /** Start a standby that is down (stopped, or its computer was off). */
        START_STANDBY,
        /** Mark a standby that has not streamed for too long for a rewind. */
        MARK_ASTRAY,
        /** Record a situation on the timeline (once while it lasts). */
        NOTICE,
        /** Nothing to do; the sentence says why. */
        WAIT
    }

    static HaAction of(Kind kind, String node, String sentence) {
        return new HaAction(kind, node, "", sentence);
    }

    static HaAction notice(String eventKind, String node, String sentence) {
        return new HaAction(Kind.NOTICE, node, eventKind, sentence);
    }

    static HaAction waiting(String sentence) {
        return new HaAction(Kind.WAIT, "", "", sentence);
    }
}
