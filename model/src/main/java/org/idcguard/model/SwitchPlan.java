package org.idcguard.model;

import java.util.List;

/**
 * What a planned IDC switch would do, group by group, and whether anything blocks it. Nothing changes while a plan is
 * made.
 */
public record SwitchPlan(String cluster, String from, String to, List<GroupMove> groups) {

    /**
     * One group's move.
     *
     * @param lagBytes            how far the new primary's flushed WAL is behind the old primary, -1 when unknown
     * @param expectedPauseMillis how long writes to this group are expected to wait
     * @param blocker             why this group cannot move now, or null
     */
    public record GroupMove(String group, String oldPrimary, String oldLsn, String newPrimary, String newLsn, long lagBytes,
                            long expectedPauseMillis, String blocker) {
    }

    public boolean blocked() {
        return groups.stream().anyMatch(g -> g.blocker() != null);
    }

    /** The blockers as one sentence per group. */
    public String blockers() {
        return String.join(" ", groups.stream().filter(g -> g.blocker() != null).map(g -> g.group() + ": " + g.blocker()).toList());
    }
}
