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
    DR("dr");

    private final String stored;

    IntentKind(String stored) {
        this.stored = stored;
    }

    String stored() {
        return stored;
    }

    static IntentKind fromStored(String word) {
        for (IntentKind k : values()) {
            if (k.stored.equals(word)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown intent kind '" + word + "'");
    }

    @Override
    public String toString() {
        return stored;
    }
}
