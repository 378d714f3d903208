package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.agent.testing.Writers;
import org.junit.jupiter.api.Test;

/**
 * The primary IDC stalls (every node agent and PostgreSQL process SIGSTOPped) for 1.0 to 4.0 s and wakes, while 8
 * writers commit as fast as they can through the coordinator into a sharded table. Short stalls pass without a
 * takeover; longer ones wake the old primaries before, during or after the takeover. Every round must end fully
 * protected with one primary per group, and every acknowledged commit must be there at the end.
 */
@org.junit.jupiter.api.Tag("long")
class StallSweepTest {
    private static final double[] STALLS = {1.0, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 4.0};

    @Test
    void noStallOfThePrimaryIdcLosesAnAcknowledgedCommit() throws Exception {
        try (LocalEstate estate = HaEstates.start(21, Map.of())) {
            HaEstates.createCluster(estate, "Stall");
            String jdbc = estate.detail("Stall").uris().jdbc();
            List<String> rounds = new ArrayList<>();
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail("Stall"));
                 Writers writers = new Writers(jdbc, "stall_rows", 8)) {
                for (double stall : STALLS) {
                    String idc = estate.detail("Stall").summary().primaryIdc();
                    int takeovers = estate.events("failover.done").size();
                    long before = writers.acked();
                    IdcFault freeze = new IdcFault(IdcFault.Kind.FREEZE, estate.access().computersOf(idc));
                    freeze.apply();
                    try {
                        Thread.sleep((long) (stall * 1000)); // the fault's length is the subject of the test, not a wait
                    } finally {
                        freeze.restore();
                    }
                    HaEstates.awaitFullProtection(estate, "Stall", Duration.ofSeconds(120));
                    Waits.until(Duration.ofSeconds(30), "no intent is left open", () -> estate.api().get("/api/intents").json().isEmpty());
                    long ackedBefore = writers.acked();
                    Waits.until(Duration.ofSeconds(30), "the writers commit again", () -> writers.acked() > ackedBefore + 50);
                    rounds.add(stall + " s on " + idc + ": " + (estate.events("failover.done").size() - takeovers)
                            + " group(s) taken over, " + (writers.acked() - before) + " commits");
                }
                List<String> lost = writers.missing(jdbc.replaceAll("socketTimeout=\\d+", "socketTimeout=60"));
                assertEquals(0, lost.size(), lost.size() + " acknowledged commits lost, e.g. " + lost.subList(0, Math.min(5, lost.size()))
                        + "; rounds: " + rounds);
                assertTrue(writers.acked() > 1000, "the writers kept committing: " + writers.acked());
                assertTrue(estate.events("failover.done").size() >= 2, "the longer stalls were taken over: " + rounds);
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
                System.out.println("Stall sweep: " + writers.acked() + " acknowledged commits, " + writers.warnings()
                        + " commits with a warning, none lost; " + rounds);
            }
        }
    }
}
