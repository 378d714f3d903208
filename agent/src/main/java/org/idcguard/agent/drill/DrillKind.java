package org.idcguard.agent.drill;

/**
 * What a drill round does to the cluster: power the IDC off (SIGKILL), freeze it (SIGSTOP), each then restored, or
 * switch the primary IDC away on purpose (a planned switch while the probe writes; nothing to restore).
 */
public enum DrillKind {
    POWER_OFF("power-off"), FREEZE("freeze"), SWITCH("switch");

    private final String word;

    DrillKind(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public static DrillKind parse(String text) {
        for (DrillKind k : values()) {
            if (k.word.equals(text)) {
                return k;
            }
        }
        throw new IllegalArgumentException("The fault is power-off, freeze or switch, not '" + text + "'.");
    }

    /** The IDC fault this drill applies; a switch applies none. */
    IdcFault.Kind fault() {
        return switch (this) {
            case POWER_OFF -> IdcFault.Kind.POWER_OFF;
            case FREEZE -> IdcFault.Kind.FREEZE;
            case SWITCH -> throw new IllegalStateException("a switch drill applies no fault");
        };
    }
}
