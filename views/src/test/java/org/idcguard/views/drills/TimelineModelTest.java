package org.idcguard.views.drills;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.idcguard.model.DrillReport;
import org.idcguard.model.Event;
import org.idcguard.model.RoundTimeline;
import org.junit.jupiter.api.Test;

/** The rows a recorded 16-shard power-off round makes, and the rules that build them. */
class TimelineModelTest {
    private final DrillReport report = DrillFixture.sixteenShardPowerOff();
    private final TimelineModel model = new TimelineModel(report.timelines().get(0));

    @Test
    void everyGroupOfTheRecordedRoundHasItsStepsInOrder() {
        List<String> names = model.rows().stream().map(TimelineModel.Row::name).toList();
        assertEquals("cluster", names.get(0));
        assertEquals("coordinator", names.get(1));
        assertEquals("shard1", names.get(2));
        assertEquals("shard2", names.get(3), "shards in their number's order, not shard10 after shard1");
        assertEquals(18, names.size(), names.toString());
        for (TimelineModel.Row row : model.rows().subList(1, names.size())) {
            long previousEnd = 0;
            for (TimelineModel.Step step : List.of(TimelineModel.Step.DETECT, TimelineModel.Step.FENCE, TimelineModel.Step.PROMOTE,
                    TimelineModel.Step.REPOINT)) {
                TimelineModel.Bar bar = row.bar(step).orElseThrow(() -> new AssertionError(row.name() + " has no " + step));
                assertTrue(bar.from() >= previousEnd - 1 && bar.to() >= bar.from(), row.name() + " " + bar);
                previousEnd = bar.to();
            }
            TimelineModel.Bar rejoin = row.bar(TimelineModel.Step.REJOIN).orElseThrow(() -> new AssertionError(row.name() + " did not rejoin"));
            assertEquals(model.restoredAt().orElseThrow(), rejoin.from());
        }
        // the takeover the round reported ends with the last group's failover.done
        long lastDone = model.rows().stream().flatMap(r -> r.bar(TimelineModel.Step.REPOINT).stream()).mapToLong(TimelineModel.Bar::to)
                .max().orElseThrow();
        assertEquals(report.rounds().get(0).takeoverMillis(), lastDone);
    }

    @Test
    void theRepointLapIsReadFromTheManagersSentence() {
        assertEquals(39, TimelineModel.repointMillis("x (promoted 877 ms after the decision: detaching 406 ms, promoting 111 ms, "
                + "repointing 39 ms). y"));
        assertEquals(0, TimelineModel.repointMillis("an older manager's sentence without laps"));
    }

    @Test
    void aRoundWithoutATakeoverHasOnlyRejoinBars() {
        RoundTimeline backupLost = new RoundTimeline(1, 1_000, 100, List.of(5, 5, 5), List.of(0, 0, 0), 1_100, 2_000, List.of(
                new Event(1, 1_500, "idc.down", "C", "IDC IDC2 is down for C."),
                new Event(2, 3_000, "node.rejoined", "C/shard1", "c-shard1-3 was brought level ...")));
        TimelineModel m = new TimelineModel(backupLost);
        TimelineModel.Row shard = m.rows().get(1);
        assertEquals("shard1", shard.name());
        assertEquals(List.of(new TimelineModel.Bar(TimelineModel.Step.REJOIN, 900, 1_900)), shard.bars());
        assertEquals(1, m.rows().get(0).markers().size(), "the IDC event sits on the cluster row");
    }

    @Test
    void theInDoubtPartsAGroupEndedAreAStepWithTheirCountEachWay() {
        // the coordinator taken over; shard2 held prepared parts, ended in two passes after the coordinator's takeover
        RoundTimeline coordinatorLost = new RoundTimeline(1, 1_000, 100, List.of(5, 5, 5), List.of(0, 0, 0), 1_100, 0, List.of(
                new Event(1, 1_600, "failover.started", "C/coordinator", "..."),
                new Event(2, 1_900, "failover.promoting", "C/coordinator", "..."),
                new Event(3, 2_100, "failover.done", "C/coordinator", "... repointing 20 ms)."),
                new Event(4, 2_900, "twophase.resolved", "C/shard2", "In-doubt transactions of shard2 of C resolved: 3 committed, "
                        + "1 rolled back (their coordinator had decided or was gone before deciding)."),
                new Event(5, 3_400, "twophase.resolved", "C/shard2", "In-doubt transactions of shard2 of C resolved: 0 committed, "
                        + "2 rolled back (their coordinator was gone before deciding).")));
        TimelineModel m = new TimelineModel(coordinatorLost);
        TimelineModel.Row shard = m.rows().stream().filter(r -> r.name().equals("shard2")).findFirst().orElseThrow();
        assertEquals(new TimelineModel.Bar(TimelineModel.Step.RESOLVE, 0, 2_300), shard.bar(TimelineModel.Step.RESOLVE).orElseThrow());
        assertEquals("3 committed, 3 rolled back", shard.inDoubtText());
        TimelineModel.Row coordinator = m.rows().stream().filter(r -> r.name().equals("coordinator")).findFirst().orElseThrow();
        assertTrue(coordinator.bar(TimelineModel.Step.RESOLVE).isEmpty(), "nothing to resolve on the coordinator");
        assertEquals("—", coordinator.inDoubtText());
    }
}
