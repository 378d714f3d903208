package org.idcguard.model;

import java.util.List;

/**
 * A drill the manager is running now, as the console follows it.
 *
 * @param taskId     the manager's task carrying it out
 * @param phase      what the round is doing, in words ("waiting for full protection", "fault applied", ...)
 * @param finished   the rounds already ended
 * @param current    the round under way, empty between rounds
 */
public record DrillLive(long taskId, String cluster, String fault, String idc, int rounds, int round, String phase,
                        long startedMillis, List<DrillRound> finished, RoundTimeline current) {
}
