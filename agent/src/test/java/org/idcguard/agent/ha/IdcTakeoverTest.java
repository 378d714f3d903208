package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.model.DrillRound;
import org.idcguard.agent.drill.DrillRunner;
import org.idcguard.agent.drill.DrillKind;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.junit.jupiter.api.Test;

/**
 * The primary IDC is lost for real (its node agents and PostgreSQL processes SIGKILLed; freezes are the subject of
 * {@link StallSweepTest}) while the
 * probe workload writes through the coordinator: every group's primary moves to IDC2, no acknowledged write is lost,
 * and when IDC1 returns its nodes are fenced, rewound and rejoin as standbys with IDC protection restored.
 */
class IdcTakeoverTest {

    @Test
    void powerOffOfThePrimaryIdcIsTakenOverAndTheIdcRejoinsWhenRestored() throws Exception {
        drill(11, "Poweroff", DrillKind.POWER_OFF);
    }

    private static void drill(int block, String name, DrillKind kind) throws Exception {
        try (LocalEstate estate = HaEstates.start(block, Map.of())) {
            HaEstates.createCluster(estate, name);
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail(name))) {
                List<DrillRound> rounds = new DrillRunner(estate.access(), new PrintStream(OutputStream.nullOutputStream()))
                        .run(name, kind, "IDC1", 1);
                DrillRound round = rounds.get(0);
                assertTrue(round.recovered(), round.line());
                assertEquals(0, round.rpo(), "acknowledged writes lost: " + round.line());
                assertTrue(round.acked() > 50, "the probe kept writing: " + round.line());

                ClusterDetail after = estate.detail(name);
                assertEquals("IDC2", after.summary().primaryIdc(), "the IDCs swapped roles");
                assertTrue(ClusterHealth.primariesOutside(after, "IDC1"));
                assertTrue(ClusterHealth.fullyProtected(after), ClusterHealth.whatIsMissing(after));
                assertEquals(2, estate.events("failover.done").size());
                assertFalse(estate.events("node.rejoined").isEmpty(), "IDC1's nodes were rewound and rejoined");
                assertTrue(watch.samples() > 10);
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            }
        }
    }
}
