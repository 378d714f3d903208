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
import org.idcguard.agent.testing.Writers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The backup IDC is lost: under the default available policy writes continue (the sync set narrows to the primary's
 * local standby), the alert is raised, no primary moves, and protection returns with the IDC.
 */
@Tag("long")
class BackupIdcLostTest {

    @Test
    void writesContinueUnderAvailableAndProtectionReturnsWithTheIdc() throws Exception {
        try (LocalEstate estate = HaEstates.start(15, Map.of())) {
            HaEstates.createCluster(estate, "Backup");
            WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail("Backup"));
            ProbeWorkload probe = new ProbeWorkload(estate.detail("Backup").uris().jdbc());
            probe.prepare();
            probe.start();
            Thread.sleep(1500);
            List<String> idc2 = estate.access().computersOf("IDC2");
            IdcFault fault = new IdcFault(IdcFault.Kind.POWER_OFF, idc2);
            fault.apply();
            long lostAt = System.currentTimeMillis();
            Waits.until(Duration.ofSeconds(30), "the protection-lost alert", () -> estate.events("alert.protection-lost").size() == 2);
            Waits.until(Duration.ofSeconds(30), "writes acknowledged again", () -> probe.lastAckMillis() > System.currentTimeMillis() - 200
                    && probe.lastAckMillis() > lostAt + 1000);
            assertTrue(ClusterHealth.primariesOutside(estate.detail("Backup"), "IDC2"), "no primary moved");
            assertEquals(List.of(), estate.events("failover.started"));

            idc2.forEach(estate::startNode);
            HaEstates.awaitFullProtection(estate, "Backup", Duration.ofSeconds(90));
            ProbeReport report = probe.stop();
            watch.close();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            assertFalse(estate.events("protection.restored").isEmpty());
            assertEquals("IDC1", estate.detail("Backup").summary().primaryIdc());
        }
    }

    @Test
    void underStrictCommitsWaitForTheLostIdcAndNoneIsAcknowledgedUnsafely() throws Exception {
        try (LocalEstate estate = HaEstates.start(23, Map.of())) {
            HaEstates.createCluster(estate, "Strict", "strict");
            String jdbc = estate.detail("Strict").uris().jdbc();
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail("Strict"));
                 Writers writers = new Writers(jdbc, "strict_rows", 8)) {
                Waits.until(Duration.ofSeconds(30), "the writers commit", () -> writers.acked() > 100);
                List<String> idc2 = estate.access().computersOf("IDC2");
                new IdcFault(IdcFault.Kind.POWER_OFF, idc2).apply();
                long lostAt = System.currentTimeMillis();
                Waits.until(Duration.ofSeconds(30), "the commits-waiting alert for both groups",
                        () -> estate.events("alert.commits-waiting").size() == 2);
                Thread.sleep(3000); // the outage goes on: under strict, nothing may be acknowledged meanwhile
                long unsafe = writers.ackedAfter(lostAt + 1000);
                if (unsafe > 0) {
                    StringBuilder why = new StringBuilder("lost at " + lostAt + ", last ack at " + writers.lastAckMillis() + "; events: ");
                    estate.api().get("/api/events?after=0").json().forEach(e -> why.append("\n").append(e.get("timeMillis")).append(" ")
                            .append(e.get("kind").asText()).append(" ").append(e.get("message").asText()));
                    why.append("\nIDC2 processes left: ").append(estate.postgresProcesses().stream()
                            .map(ph -> ph.pid() + " " + ph.info().arguments().map(a -> String.join(" ", a)).orElse("?")).toList());
                    assertEquals(0, unsafe, "a commit was acknowledged with no copy in another IDC: " + why);
                }
                assertEquals(List.of(), estate.events("alert.protection-lost"), "strict never narrows the sync set");
                assertEquals(List.of(), estate.events("failover.started"));

                idc2.forEach(estate::startNode);
                long backAt = System.currentTimeMillis();
                HaEstates.awaitFullProtection(estate, "Strict", Duration.ofSeconds(90));
                Waits.until(Duration.ofSeconds(30), "commits flow again", () -> writers.ackedAfter(backAt) > 100);
                List<String> lost = writers.missing(jdbc.replaceAll("socketTimeout=\\d+", "socketTimeout=60"));
                assertEquals(0, lost.size(), lost.size() + " acknowledged commits lost, e.g. " + lost.subList(0, Math.min(5, lost.size())));
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            }
        }
    }
}
