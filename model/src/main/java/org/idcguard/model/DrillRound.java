package org.idcguard.model;

/**
 * One drill round's figures.
 *
 * @param rtoMillis      longest gap in acknowledged probe writes across the fault, one still open when the round
 *                       ended included: the recovery time as an application using the printed URI saw it
 * @param rpo            acknowledged writes missing afterwards
 * @param takeoverMillis from the fault to the manager's last {@code failover.done} of the takeover (its own event
 *                       times, not polls of the API); -1 when the fault needed no takeover
 * @param flowingMillis  from the fault until writes flowed normally again (a second without a gap or an error)
 * @param rejoinMillis   from the restore until every node streamed again with IDC protection back
 * @param rowsPerShard   the data check afterwards, beside the id-by-id check behind rpo: the round's probe rows found
 *                       in each shard's partition, so a shard that took no writes shows (empty when not counted)
 */
public record DrillRound(int round, String fault, String idc, long rtoMillis, long rpo, long acked, long errors,
                         long takeoverMillis, long flowingMillis, long rejoinMillis, boolean recovered, String problem,
                         java.util.Map<String, Long> rowsPerShard) {

    public DrillRound {
        rowsPerShard = rowsPerShard == null ? java.util.Map.of() : java.util.Map.copyOf(rowsPerShard);
    }

    /** A round whose rows were not counted per shard. */
    public DrillRound(int round, String fault, String idc, long rtoMillis, long rpo, long acked, long errors,
                      long takeoverMillis, long flowingMillis, long rejoinMillis, boolean recovered, String problem) {
        this(round, fault, idc, rtoMillis, rpo, acked, errors, takeoverMillis, flowingMillis, rejoinMillis, recovered, problem,
                java.util.Map.of());
    }

    /** The data check in words: how many shards hold the round's rows, and how many rows in all. */
    public String dataCheck() {
        if (rowsPerShard.isEmpty()) {
            return "-";
        }
        long rows = rowsPerShard.values().stream().mapToLong(Long::longValue).sum();
        long min = rowsPerShard.values().stream().mapToLong(Long::longValue).min().orElse(0);
        long max = rowsPerShard.values().stream().mapToLong(Long::longValue).max().orElse(0);
        return rows + " rows on " + rowsPerShard.size() + " shards (" + min + "-" + max + " each)";
    }

    public boolean passed() {
        return recovered && rpo == 0; // rpo -1: the writes could not be checked, which fails the round too
    }

    public String line() {
        return "round=" + round + " fault=" + fault + " idc=" + idc + " rto_ms=" + rtoMillis + " rpo=" + rpo
                + " acked=" + acked + " errors=" + errors + " takeover_ms=" + (takeoverMillis < 0 ? "-" : takeoverMillis)
                + " flowing_ms=" + flowingMillis + " rejoin_ms=" + rejoinMillis + (recovered ? "" : " NOT RECOVERED: " + problem);
    }
}
