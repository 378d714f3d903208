package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.model.DrillRound;
import org.idcguard.agent.drill.DrillRunner;
import org.idcguard.agent.drill.DrillKind;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Writers;
import org.junit.jupiter.api.Test;

/**
 * The drill's recovery time is what an application sees: an outside client (its own connection with the printed
 * JDBC URI, unchanged, committing as fast as it can into its own table) runs through each round, and the drill's
 * rto_ms must lie within 0.5 s of the client's longest gap, for a freeze of the backup IDC (commits stall until
 * the sync set narrows), a power-off of the backup IDC, and a power-off of the primary IDC.
 */
@org.junit.jupiter.api.Tag("long")
class DrillAgreesWithOutsideClientTest {
    private static final String NAME = "Outside";
    private static final long TOLERANCE_MILLIS = 500;

    @Test
    void drillRtoMatchesAnOutsideClientsLongestGap() throws Exception {
        try (LocalEstate estate = HaEstates.start(25, Map.of())) {
            HaEstates.createCluster(estate, NAME);
            DrillRunner drills = new DrillRunner(estate.access(), new PrintStream(OutputStream.nullOutputStream()));
            List<String> report = new ArrayList<>();
            int table = 0;
            // the last: a planned switch back from IDC2, the primary IDC after the power-off of IDC1
            for (Object[] scenario : new Object[][] {{DrillKind.FREEZE, "IDC2"}, {DrillKind.POWER_OFF, "IDC2"},
                    {DrillKind.POWER_OFF, "IDC1"}, {DrillKind.SWITCH, "IDC2"}}) {
                DrillKind kind = (DrillKind) scenario[0];
                String idc = (String) scenario[1];
                try (Writers outside = new Writers(estate.detail(NAME).uris().jdbc(), "outside_client_" + table++, 1)) {
                    long from = System.currentTimeMillis();
                    DrillRound round = drills.run(NAME, kind, idc, 1).get(0);
                    long to = System.currentTimeMillis();
                    long outsideGap = outside.longestGapMillis(from, to);
                    report.add(round.line() + " | outside client's longest gap " + outsideGap + " ms");
                    assertTrue(round.recovered(), round.line());
                    assertEquals(0, round.rpo(), round.line());
                    assertTrue(outside.acked() > 100, "the outside client kept writing: " + outside.acked());
                    assertTrue(Math.abs(round.rtoMillis() - outsideGap) <= TOLERANCE_MILLIS,
                            "drill and outside client disagree: " + String.join("; ", report));
                }
            }
            System.out.println("drill vs outside client: " + String.join("; ", report));
        }
    }
}
