package org.idcguard.model;

import java.util.List;

/**
 * The preflight of a backup-city promotion: per group the DR standby to promote and what it would lose now.
 *
 * @param restorePoint in consistent mode, the common restore point every group is promoted at; null in latest mode
 * @param blockers     one sentence per reason it cannot start; empty when it can
 */
public record DrPlan(String cluster, String to, String mode, String restorePoint, long estimatedLossBytes, long estimatedLossMillis,
                     List<Move> groups, List<String> blockers) {

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
