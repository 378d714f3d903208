package org.idcguard.agent.manager.ha;

/**
 * What a recorded intent is carrying out. Each kind is resumed by its own rows of {@link IntentRecoveryTable}; the
 * stored words are those of every manager before the kinds were types, so a manager upgraded mid-operation reads them.
 */
enum IntentKind {
    /** A takeover after the primary was lost ({@link PrimaryFailover}). */
    FAILOVER("failover"),
    /** A planned switch of the primary IDC ({@link PlannedSwitch}): the old primary may have been stopped. */
    SWITCH("switch"),
    /** A backup-city promotion the DBA confirmed ({@link BackupCityPromotion}). */
    DR("dr"),
    /** A word this manager does not know (a newer manager wrote it): read, never written; recovery leaves it to a DBA. */
    UNKNOWN("unknown");

    private final String stored;

    IntentKind(String stored) {
        this.stored = stored;
    }

    String stored() {
        return stored;
    }

    /** The kind a stored word names; {@link #UNKNOWN} for one this manager does not know. */
    static IntentKind fromStored(String word) {
        for (IntentKind k : values()) {
            if (k != UNKNOWN && k.stored.equals(word)) {
                return k;
            }
        }
        return UNKNOWN;
    }

    @Override
    public String toString() {
        return stored;
    }
}
