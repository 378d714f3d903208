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

    /**
     * This kind's state machine: whether an intent of it may move from one step to the next. Every kind starts at
     * CHOSEN and may be abandoned from any step that has not ended (a roll-back, or a cluster deleted under it); only
     * a takeover detaches (and fast-forwards) before it promotes; only PROMOTING leads to DONE. An unknown kind is
     * never moved (a DBA ends it). Enforced where the step is written ({@link FailoverIntents#step}).
     */
    boolean allows(IntentStep from, IntentStep to) {
        if (!steps().contains(from) || !steps().contains(to) || from.isFinal()) {
            return false;
        }
        return switch (to) {
            case ABANDONED -> true;
            case DETACHED -> this == FAILOVER && from == IntentStep.CHOSEN;
            case PROMOTING -> from == IntentStep.CHOSEN || (this == FAILOVER && from == IntentStep.DETACHED);
            case DONE -> from == IntentStep.PROMOTING;
            case CHOSEN, UNKNOWN -> false;
        };
    }

    /** The steps an intent of this kind can be at: only a takeover detaches; an unknown kind has none of its own. */
    java.util.Set<IntentStep> steps() {
        return switch (this) {
            case FAILOVER -> java.util.EnumSet.of(IntentStep.CHOSEN, IntentStep.DETACHED, IntentStep.PROMOTING, IntentStep.DONE,
                    IntentStep.ABANDONED);
            case SWITCH, DR -> java.util.EnumSet.of(IntentStep.CHOSEN, IntentStep.PROMOTING, IntentStep.DONE, IntentStep.ABANDONED);
            case UNKNOWN -> java.util.EnumSet.noneOf(IntentStep.class);
        };
    }

    /** What an intent of this kind at this step may have changed, as recovery must assume. */
    String meaning(IntentStep step) {
        return switch (step) {
            case CHOSEN -> this == FAILOVER ? "standbys may be detaching; nothing promoted" : "nothing changed on any node";
            case DETACHED -> "standbys detached, positions fixed, the candidate maybe fast-forwarding; nothing promoted";
            case PROMOTING -> switch (this) {
                case SWITCH -> "the old primary may be stopped, pg_promote may have been sent to the candidate";
                case DR -> "the DR candidates may be promoted at their recovery targets";
                default -> "the candidate's sync set may be set and pg_promote sent";
            };
            case DONE -> "ended: the candidate is the recorded primary";
            case ABANDONED -> "ended: nothing was promoted, or nothing is left to carry it out on";
            case UNKNOWN -> "unknown: left to a DBA";
        };
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
