package org.idcguard.model;

import java.util.List;

/**
 * A drill as the manager keeps it: what was failed, when, and each round's figures.
 *
 * @param id             given by the manager when the report is stored (0 before)
 * @param fault          "power-off", "freeze", "partition" or "switch"
 * @param idc            the IDC named to the drill ("the primary IDC of that moment" when it was the primary)
 * @param timelines      each round over time, for drawing and export (empty for reports stored without them)
 */
public record DrillReport(long id, String cluster, String fault, String idc, long startedMillis, long finishedMillis,
                          List<DrillRound> rounds, List<RoundTimeline> timelines, String operator, String reason) {

    public DrillReport {
        timelines = timelines == null ? List.of() : List.copyOf(timelines);
    }

    /** A report before the manager has recorded who ran it. */
    public DrillReport(long id, String cluster, String fault, String idc, long startedMillis, long finishedMillis,
                       List<DrillRound> rounds, List<RoundTimeline> timelines) {
        this(id, cluster, fault, idc, startedMillis, finishedMillis, rounds, timelines, null, null);
    }

    /** The same report, run by this operator for this reason (as the manager recorded them). */
    public DrillReport by(String newOperator, String newReason) {
        return new DrillReport(id, cluster, fault, idc, startedMillis, finishedMillis, rounds, timelines, newOperator, newReason);
    }

    /** Every round recovered and lost nothing. */
    public boolean passed() {
        return rounds != null && !rounds.isEmpty() && rounds.stream().allMatch(DrillRound::passed);
    }

    /** The longest RTO of its rounds, -1 without rounds. */
    public long worstRtoMillis() {
        return roundsOrEmpty().stream().mapToLong(DrillRound::rtoMillis).max().orElse(-1);
    }

    public long medianRtoMillis() {
        return medianRto(roundsOrEmpty());
    }

    /** Acknowledged writes missing afterwards, over every round. */
    public long lostWrites() {
        return roundsOrEmpty().stream().mapToLong(DrillRound::rpo).sum();
    }

    /** The median RTO of the rounds (the mean of the middle two for an even count), -1 without rounds. */
    public static long medianRto(List<DrillRound> rounds) {
        List<Long> rto = rounds.stream().map(DrillRound::rtoMillis).sorted().toList();
        if (rto.isEmpty()) {
            return -1;
        }
        int n = rto.size();
        return n % 2 == 1 ? rto.get(n / 2) : (rto.get(n / 2 - 1) + rto.get(n / 2)) / 2;
    }

    private List<DrillRound> roundsOrEmpty() {
        return rounds == null ? List.of() : rounds;
    }

    /** The same report without its timelines (lists stay small; one report is read whole). */
    public DrillReport withoutTimelines() {
        return new DrillReport(id, cluster, fault, idc, startedMillis, finishedMillis, rounds, List.of(), operator, reason);
    }

    public DrillReport withId(long newId) {
        return new DrillReport(newId, cluster, fault, idc, startedMillis, finishedMillis, rounds, timelines, operator, reason);
    }
}
