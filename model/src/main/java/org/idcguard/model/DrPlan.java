package org.idcguard.model;

import java.util.List;

/**
 * The preflight of a backup-city promotion: per group the DR standby to promote and what it would lose now.
 *
 * @param restorePoint in consistent mode, the common restore point every group is promoted at; null in latest mode
 * @param blockers     one sentence per reason it cannot start; empty when it can
 * @param unseenMillis how long after the DR city last heard from the main city its primaries may still have acknowledged
 *                     commits (until their leases ran out): lost too if the city is cut off rather than dark, and in no
 *                     estimate, since nobody outside the city saw them; 0 while the main city is not lost
 */
public record DrPlan(String cluster, String to, String mode, String restorePoint, long estimatedLossBytes, long estimatedLossMillis,
                     List<Move> groups, List<String> blockers, long unseenMillis) {

    /**
     * The groups whose loss nobody can estimate, said in a sentence ("" when there are none): the main city's last
     * position was never seen, or its primary was last seen acknowledging without the lease check, which bounds nothing.
     */
    public String unknownSentence() {
        List<String> unknown = groups.stream().filter(m -> m.lossBytes() < 0).map(Move::group).toList();
        return unknown.isEmpty() ? "" : "The loss of " + String.join(", ", unknown) + " is unknown: the main city's last position "
                + "was not seen, or its primary was last seen acknowledging without the lease check, which bounds nothing.";
    }

    /** What the DBA is told, besides the estimate, about commits a city cut off rather than dark acknowledged unseen. */
    public String unseenSentence() {
        return unseenMillis <= 0 ? "" : String.format("If the main city is cut off rather than dark, it may also have acknowledged "
                + "commits for up to %.1f s after the DR city last heard from it: those are in no estimate and are lost too.",
                unseenMillis / 1000.0);
    }


    /**
     * One group's move: its recorded primary in the main city, the DR standby to promote, where it would be promoted
     * (what it received, or the restore point), and the loss.
     */
    public record Move(String group, String oldPrimary, String candidate, String lastKnownLsn, String candidateLsn,
                       long lossBytes, long lossMillis) {
    }

    public boolean blocked() {
        return !blockers.isEmpty();
    }
}
