package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.junit.jupiter.api.Test;

/**
 * The manager is SIGKILLed after it promoted the new primaries but before it recorded them (a test pause holds it
 * there). Restarted, it finds its recorded intents, sees the candidates promoted, and finishes: one primary per group,
 * in IDC2, nothing lost, and IDC1 rejoins when restored.
 */
class ManagerKilledMidTakeoverTest {

    @Test
    void aRestartedManagerFinishesTheTakeoverItWasKilledIn() throws Exception {
        try (LocalEstate estate = HaEstates.start(16, Map.of("IDCGUARD_TEST_PAUSE_AFTER_PROMOTE_MILLIS", "6000"))) {
            HaEstates.createCluster(estate, "Midway");
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail("Midway"))) {
                ProbeWorkload probe = new ProbeWorkload(estate.detail("Midway").uris().jdbc());
                probe.prepare();
                probe.start();
                Thread.sleep(1500);
                List<String> idc1 = estate.access().computersOf("IDC1");
                new IdcFault(IdcFault.Kind.POWER_OFF, idc1).apply();
                Waits.until(Duration.ofSeconds(30), "both groups are being promoted", () -> estate.events("failover.promoting").size() == 2);
                Thread.sleep(2000); // promotion done, roles not yet recorded
                assertEquals(List.of(), estate.events("failover.done"));
                estate.killManager();

                estate.startManager();
                Waits.until(Duration.ofSeconds(60), "the takeover is finished", () -> estate.events("failover.resumed").size() == 2);
                Waits.until(Duration.ofSeconds(30), "every primary is in IDC2",
                        () -> ClusterHealth.primariesOutside(estate.detail("Midway"), "IDC1"));
                assertEquals("IDC2", estate.detail("Midway").summary().primaryIdc());

                idc1.forEach(estate::startNode);
                HaEstates.awaitFullProtection(estate, "Midway", Duration.ofSeconds(90));
                ProbeReport report = probe.stop();
                assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
                assertTrue(report.acked() > 50);
                assertFalse(estate.events("node.rejoined").isEmpty());
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            }
        }
    }
}
