package org.idcguard.agent.drill;

import java.util.List;

/**
 * What the probe workload saw.
 *
 * @param acked          writes acknowledged
 * @param errors         statements or connections that failed
 * @param longestGapMillis the longest time between two acknowledged writes, or from the last one to the probe's stop:
 *                         the recovery time as the client saw it
 * @param missing        acknowledged writes not found afterwards: the recovery point, which must be 0
 * @param rowsPerShard   the probe's rows of this run found in each shard's partition afterwards
 * @param lost           the first lost writes, each with when it was acknowledged and the partition it belongs to, so
 *                       that a loss can be laid beside the faults and the manager's events
 */
public record ProbeReport(long acked, long errors, long longestGapMillis, long missing, List<String> errorSamples,
                          java.util.Map<String, Long> rowsPerShard, List<LostWrite> lost) {

    /** An acknowledged write not found afterwards. */
    public record LostWrite(long seq, long acknowledgedMillis, String partition) {
    }

    /** The longest gap between acknowledgements, the one still open at {@code endMillis} included. */
    static long longestGap(List<long[]> acked, long endMillis) {
        long gap = 0;
        for (int i = 1; i < acked.size(); i++) {
            gap = Math.max(gap, acked.get(i)[1] - acked.get(i - 1)[1]);
        }
        if (!acked.isEmpty()) {
            gap = Math.max(gap, endMillis - acked.get(acked.size() - 1)[1]);
        }
        return gap;
    }
}
