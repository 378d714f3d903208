package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.idcguard.agent.drill.DrillKind;
import org.idcguard.agent.drill.DrillRunner;
import org.idcguard.agent.drill.NetworkCut;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A drill fault applied by the node agents themselves (how drills reach computers of other hosts): the primary IDC
 * partitioned from the backup IDC and the manager by nftables rules each of its computers sets on itself, ended by a
 * timer there. The backup IDC takes over with nothing lost, and the partitioned IDC rejoins once its timers heal it.
 * A fault with bad input is refused in one sentence and changes nothing.
 */
@Tag("long")
class PartitionDrillTest {
    private static final String NAME = "Parted";

    @Test
    void thePrimaryIdcPartitionedByItsOwnNodeAgentsIsTakenOverWithNothingLost() throws Exception {
        assumeTrue(NetworkCut.available(), "skipped: a partition needs root and nftables");
        try (LocalEstate estate = HaEstates.start(30, Map.of())) {
            HaEstates.createCluster(estate, NAME);
            ApiCaller api = estate.api();
            ApiCaller.Answer bad = api.post("/api/idcs/IDC1/faults", "{\"kind\":\"partition\",\"seconds\":0}");
            assertEquals(400, bad.status(), bad.body());
            assertEquals("A partition lasts 1 to 600 seconds.", bad.error());
            assertEquals(404, api.post("/api/idcs/Nowhere/faults", "{\"kind\":\"freeze\",\"seconds\":3}").status());

            DrillRunner drills = new DrillRunner(estate.access(), new PrintStream(OutputStream.nullOutputStream()));
            var round = drills.run(NAME, DrillKind.PARTITION, "IDC1", 1).get(0);
            System.out.println("partition drill: " + round.line());
            assertTrue(round.recovered(), round.line());
            assertEquals(0, round.rpo(), round.line());
            assertTrue(round.takeoverMillis() > 0, "the backup IDC took over: " + round.line());
            assertEquals("IDC2", estate.detail(NAME).summary().primaryIdc());
            assertTrue(!estate.events("drill.fault").isEmpty());
        }
    }
}
