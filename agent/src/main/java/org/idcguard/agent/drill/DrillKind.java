package org.idcguard.agent.drill;

/**
 * What a drill round does to the cluster: power the IDC off (SIGKILL), freeze it (SIGSTOP), cut it off from the other
 * IDC and the managers (partition, nftables on its computers, by their node agents), each then restored, or switch the
 * primary IDC away on purpose (a planned switch while the probe writes; nothing to restore).
 */
public enum DrillKind {
    POWER_OFF("power-off"), FREEZE("freeze"), PARTITION("partition"), SWITCH("switch");

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
        throw new IllegalArgumentException("The fault is power-off, freeze, partition or switch, not '" + text + "'.");
    }

    /** The IDC fault this drill applies by signals on this machine; a partition and a switch apply none. */
    IdcFault.Kind fault() {
        return switch (this) {
            case POWER_OFF -> IdcFault.Kind.POWER_OFF;
            case FREEZE -> IdcFault.Kind.FREEZE;
            case PARTITION, SWITCH -> throw new IllegalStateException(word + " is not applied by signals");
        };
    }
}
