package org.idcguard.agent.manager.ha;

/**
 * How far an intent got, recorded before the action the next step names. What a step means for recovery is here, in
 * one place: whether pg_promote may have been sent (from then on only rolling forward is safe), and whether the
 * intent has ended. The stored words are those of every earlier manager.
 */
enum IntentStep {
    /** Recorded before anything is done: nothing has changed on any node yet, or standbys are being detached. */
    CHOSEN("chosen", false, false),
    /** Every standby that could acknowledge for the old primary is detached; positions are fixed; nothing promoted. */
    DETACHED("detached", false, false),
    /** pg_promote may have been sent (or, for a switch, the old primary stopped): from here only forward, or back by its rule. */
    PROMOTING("promoting", true, false),
    DONE("done", true, true),
    ABANDONED("abandoned", false, true),
    /**
     * A word this manager does not know (a newer manager wrote it, then was downgraded): read, never written. Whether it
     * promoted cannot be known, so it counts as possibly promoted, and recovery leaves it to a DBA.
     */
    UNKNOWN("unknown", true, false);

    private final String stored;
    private final boolean mayHavePromoted;
    private final boolean isFinal;

    IntentStep(String stored, boolean mayHavePromoted, boolean isFinal) {
        this.stored = stored;
        this.mayHavePromoted = mayHavePromoted;
        this.isFinal = isFinal;
    }

    String stored() {
        return stored;
    }

    /** Whether pg_promote may have been sent to the candidate, so that rolling back is no longer safe by itself. */
    boolean mayHavePromoted() {
        return mayHavePromoted;
    }

    boolean isFinal() {
        return isFinal;
    }

    /** The step a stored word names; {@link #UNKNOWN} for one this manager does not know (one row must not stop the loop). */
    static IntentStep fromStored(String word) {
        for (IntentStep s : values()) {
            if (s != UNKNOWN && s.stored.equals(word)) {
                return s;
            }
        }
        return UNKNOWN;
    }

    @Override
    public String toString() {
        return stored;
    }
}
