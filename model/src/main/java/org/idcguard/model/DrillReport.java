package org.idcguard.model;

import java.util.List;

/**
 * A drill as the manager keeps it: what was failed, when, and each round's figures.
 *
 * @param id             given by the manager when the report is stored (0 before)
 * @param fault          "power-off" or "freeze"
 * @param idc            the IDC named to the drill ("the primary IDC of that moment" when it was the primary)
 * @param timelines      each round over time, for drawing and export (empty for reports stored without them)
 */
public record DrillReport(long id, String cluster, String fault, String idc, long startedMillis, long finishedMillis,
                          List<DrillRound> rounds, List<RoundTimeline> timelines) {

    public DrillReport {
        timelines = timelines == null ? List.of() : List.copyOf(timelines);
    }

    /** Every round recovered and lost nothing. */
    public boolean passed() {
        return rounds != null && !rounds.isEmpty() && rounds.stream().allMatch(DrillRound::passed);
    }

    /** The same report without its timelines (lists stay small; one report is read whole). */
    public DrillReport withoutTimelines() {
        return new DrillReport(id, cluster, fault, idc, startedMillis, finishedMillis, rounds, List.of());
    }

    public DrillReport withId(long newId) {
        return new DrillReport(newId, cluster, fault, idc, startedMillis, finishedMillis, rounds, timelines);
    }
}
