package org.idcguard.model;

import java.util.List;

/**
 * A cluster's DR city as the manager sees it now: what each group's DR standby holds, and what a promotion to the
 * backup city would lose.
 *
 * @param mainCityLost         every IDC of the main city is down
 * @param runsInDrCity         the primaries stand in the DR IDC (it was promoted)
 * @param estimatedLossBytes   WAL the DR standbys lack, summed over groups (0 when they hold everything)
 * @param estimatedLossMillis  the longest span of commits a group's DR standby lacks
 * @param promotions           what the last backup-city promotion received against what the main city had written
 * @param restorePoint         the newest common restore point every DR standby has received (a consistent promotion's
 *                             target), or null
 * @param restorePointMillis   when it was marked, 0 without one
 */
public record DrStatus(String cluster, String drIdc, String drCity, boolean mainCityLost, boolean runsInDrCity,
                       long estimatedLossBytes, long estimatedLossMillis, List<Group> groups, List<Promotion> promotions,
                       String restorePoint, long restorePointMillis) {

    /**
     * One group's DR standby.
     *
     * @param state          streaming, not receiving, or down
     * @param lastPrimaryLsn the newest position the manager saw on the group's primary
     * @param lagBytes       how far behind that it is, -1 when unknown
     * @param lagMillis      how many milliseconds of commits it lacks, -1 when unknown
     */
    public record Group(String group, String node, String state, String receivedLsn, String lastPrimaryLsn, long lagBytes,
                        long lagMillis) {
    }

    /** One group of a backup-city promotion: the actual loss is what the main city had written past what was promoted. */
    public record Promotion(String group, String node, String mode, long estimatedLossBytes, String lastKnownLsn,
                            String promotedLsn, long lossBytes, long promotedMillis) {
    }
}
