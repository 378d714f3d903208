package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The race of an IDC going dark host by host: the shard's primary crashes, the takeover picks the standby in the same
 * IDC, and that standby is killed too while its promotion is being sent. Whether it was promoted cannot be known; it
 * could hold no commit the old primary acknowledged (it was in no sync set), so the manager records it as the
 * primary it may have become and fails it over to IDC2 instead of waiting for it. Nothing acknowledged is lost and
 * the group never has two writable primaries. (With the roll-forward removed, the group waits at
 * {@code failover.waiting} until the candidate returns and this test times out.)
 */
@Tag("long")
class CandidateLostMidPromotionTest {
    private static final String NAME = "Dusk";

    @Test
    void aCandidateThatGoesDarkWhileBeingPromotedIsFailedOverNotWaitedFor() throws Exception {
        try (LocalEstate estate = HaEstates.start(31, Map.of("IDCGUARD_TEST_PAUSE_AT", "promoting:3000"))) {
            HaEstates.createCluster(estate, NAME);
            ClusterDetail before = estate.detail(NAME);
            NodeView primary = PrimaryFailureTest.shardPrimary(before);
            NodeView sameIdc = PrimaryFailureTest.shard(before).nodes().stream()
                    .filter(n -> n.idc().equals(primary.idc()) && !n.name().equals(primary.name())).findFirst().orElseThrow();
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before)) {
                ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
                probe.prepare();
                probe.start();
                Waits.until(Duration.ofSeconds(10), "the probe writes", () -> probe.ackedCount() > 20);
                PrimaryFailureTest.processTree(primary.pid()).forEach(ProcessHandle::destroyForcibly);
                Waits.until(Duration.ofSeconds(30), "the takeover pauses before promoting",
                        () -> !estate.events("test.paused", "promoting").isEmpty());
                assertTrue(mentioning(estate, "failover.promoting", "Promoting " + sameIdc.name() + ";"),
                        "the standby in the primary's own IDC was chosen: " + estate.events("failover.promoting"));
                PrimaryFailureTest.processTree(sameIdc.pid()).forEach(ProcessHandle::destroyForcibly);

                Waits.until(Duration.ofSeconds(60), "the silent candidate is recorded and failed over",
                        () -> mentioning(estate, "failover.resumed", sameIdc.name() + " stopped answering after its promotion was sent"));
                try {
                    Waits.until(Duration.ofSeconds(60), "shard1 has a primary in IDC2",
                            () -> ClusterHealth.primary(PrimaryFailureTest.shard(estate.detail(NAME)))
                                    .map(p -> p.idc().equals("IDC2")).orElse(false));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; timeline:\n" + timeline(estate), e);
                }
                HaEstates.awaitFullProtection(estate, NAME, Duration.ofSeconds(120));
                ProbeReport report = probe.stop();
                assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
                assertTrue(report.acked() > 50, report.toString());
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            }
        }
    }

    static String timeline(LocalEstate estate) {
        StringBuilder all = new StringBuilder();
        estate.api().get("/api/events?after=0").json().forEach(e -> all.append(e.get("kind").asText()).append(' ')
                .append(e.get("subject").asText()).append(": ").append(e.get("message").asText()).append('\n'));
        return all.toString();
    }

    private static boolean mentioning(LocalEstate estate, String kind, String text) {
        return estate.events(kind).stream().anyMatch(e -> e.get("message").asText().contains(text));
    }
}
