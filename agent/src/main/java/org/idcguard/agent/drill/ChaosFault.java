package org.idcguard.agent.drill;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kinds of fault a chaos soak picks from, each with the name {@code --faults} takes and a weight. The weights
 * make the long rounds rarer: a DR promotion (city lost, promoted, rejoined, switched home) lasts minutes, while a
 * freeze lasts seconds.
 */
enum ChaosFault {
    POWER_OFF("power-off", 2),
    FREEZE("freeze", 2),
    FREEZE_BACKUP("freeze-backup", 2),
    KILL_ONE_PRIMARY("kill-primary", 2),
    AGENT_KILLED("agent-killed", 1),
    BACKUP_IDC_LOST("backup-idc-lost", 2),
    MANAGER_KILLED("manager-killed", 2),
    MANAGER_KILLED_MID_TAKEOVER("manager-killed-mid-takeover", 2),
    PARTITION("partition", 2),
    BACK_TO_BACK("back-to-back", 3),
    DR_PROMOTION("dr-promotion", 1);

    final String cliName;
    final int weight;

    ChaosFault(String cliName, int weight) {
        this.cliName = cliName;
        this.weight = weight;
    }

    /** What the estate allows: some faults need a restartable manager, root for nftables, or a DR city. */
    record Estate(boolean managerRestartable, boolean cutsAllowed, boolean hasDrCity) {
        boolean allows(ChaosFault f) {
            return switch (f) {
                case MANAGER_KILLED, MANAGER_KILLED_MID_TAKEOVER -> managerRestartable;
                case PARTITION -> cutsAllowed;
                case DR_PROMOTION -> hasDrCity;
                default -> true;
            };
        }
    }

    /** The kinds named in a {@code --faults} list (comma-separated), or every kind when the list is null or blank. */
    static Set<ChaosFault> parse(String list) {
        if (list == null || list.isBlank()) {
            return EnumSet.allOf(ChaosFault.class);
        }
        Set<ChaosFault> chosen = EnumSet.noneOf(ChaosFault.class);
        for (String name : list.split(",")) {
            String n = name.trim();
            chosen.add(Arrays.stream(values()).filter(f -> f.cliName.equals(n)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Unknown fault '" + n + "': the faults are " + names() + ".")));
        }
        return chosen;
    }

    static String names() {
        return Arrays.stream(values()).map(f -> f.cliName).collect(Collectors.joining(", "));
    }

    /**
     * The kinds the soak picks from: those asked for that the estate allows. Asking by name for one it does not
     * allow is refused, so a soak never silently leaves out the fault it was run for.
     */
    static List<ChaosFault> eligible(Set<ChaosFault> asked, Estate estate, boolean askedByName) {
        List<ChaosFault> out = new ArrayList<>();
        for (ChaosFault f : asked) {
            if (estate.allows(f)) {
                out.add(f);
            } else if (askedByName) {
                throw new IllegalArgumentException("The fault " + f.cliName + " cannot run here (" + why(f) + ").");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("No fault can run here.");
        }
        return out;
    }

    private static String why(ChaosFault f) {
        return switch (f) {
            case MANAGER_KILLED, MANAGER_KILLED_MID_TAKEOVER -> "the manager was not started by this home's demo";
            case PARTITION -> "nftables needs root";
            case DR_PROMOTION -> "the cluster has no DR city, or its primaries stand in it";
            default -> "";
        };
    }

    /** One kind drawn by weight: the same random sequence gives the same kinds. */
    static ChaosFault pick(Random random, List<ChaosFault> from) {
        int total = from.stream().mapToInt(f -> f.weight).sum();
        int r = random.nextInt(total);
        for (ChaosFault f : from) {
            r -= f.weight;
            if (r < 0) {
                return f;
            }
        }
        throw new IllegalStateException("unreachable: weights sum to " + total);
    }
}
