package org.idcguard.agent.drill;

import java.util.List;

/**
 * What the probe workload saw.
 *
 * @param acked          writes acknowledged
 * @param errors         statements or connections that failed
 * @param longestGapMillis the longest time between two acknowledged writes: the recovery time as the client saw it
 * @param missing        acknowledged writes not found afterwards: the recovery point, which must be 0
 */
public record ProbeReport(long acked, long errors, long longestGapMillis, long missing, List<String> errorSamples) {

    static long longestGap(List<long[]> acked) {
        long gap = 0;
        for (int i = 1; i < acked.size(); i++) {
            gap = Math.max(gap, acked.get(i)[1] - acked.get(i - 1)[1]);
        }
        return gap;
    }
}
