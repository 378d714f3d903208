package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.OneClusterPerClass;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The planned IDC switch on real PostgreSQL while the probe workload writes through the coordinator: to IDC2 and
 * back, nothing lost, the old primaries streaming as standbys; and a preflight refused because a target standby is
 * stopped changes nothing (first, on the same cluster).
 */
class PlannedSwitchTest extends OneClusterPerClass {
    PlannedSwitchTest() {
        super("Swap");
    }

    @Override
    protected LocalEstate startEstate() {
        return HaEstates.start(17, Map.of());
    }

    @Test
    @Order(1)
    void aStoppedTargetStandbyRefusesTheSwitchAndChangesNothing() throws Exception {
        long mark = estate.lastEventId();
        ClusterDetail before = estate.detail(name);
        String backup = before.summary().backupIdc();
        NodeView target = before.groups().get(1).nodes().stream().filter(n -> n.idc().equals(backup)).findFirst().orElseThrow();
        List<ProcessHandle> frozen = PrimaryFailureTest.processTree(target.pid());
        PrimaryFailureTest.signal("-STOP", frozen); // stopped where it stands: the manager cannot start it again
        try {
            Waits.until(Duration.ofSeconds(10), "the manager sees it stopped", () -> estate.api().get("/api/clusters/" + name
                    + "/switch?to=" + backup).json().get("groups").get(1).get("blocker").asText().contains(target.name()));

            var refused = estate.api().post("/api/clusters/" + name + "/switch", "{\"to\":\"" + backup + "\"}");
            assertEquals(409, refused.status(), refused.body());
            assertTrue(refused.error().contains(target.name()), refused.error());
            ClusterDetail after = estate.detail(name);
            assertEquals(before.summary().primaryIdc(), after.summary().primaryIdc());
            for (GroupView g : after.groups()) {
                assertEquals(ClusterHealth.primary(before.groups().stream().filter(b -> b.name().equals(g.name())).findFirst().orElseThrow())
                        .orElseThrow().name(), ClusterHealth.primary(g).orElseThrow().name(), "no primary moved");
            }
            assertEquals(List.of(), estate.eventsAfter(mark, "switch.started"));
        } finally {
            PrimaryFailureTest.signal("-CONT", frozen);
        }
    }

    @Test
    @Order(2)
    void switchesToTheBackupIdcAndBackWithTheProbeWriting() throws Exception {
        long mark = estate.lastEventId();
        ClusterDetail before = estate.detail(name);
        String home = before.summary().primaryIdc();
        String backup = before.summary().backupIdc();
        try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before)) {
            ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
            probe.prepare();
            probe.start();
            Thread.sleep(1500);

            JsonNode plan = estate.api().get("/api/clusters/" + name + "/switch?to=" + backup).json();
            assertEquals(2, plan.get("groups").size(), plan.toString());
            plan.get("groups").forEach(g -> assertTrue(g.get("blocker").isNull(), g.toString()));
            assertEquals(home, estate.detail(name).summary().primaryIdc(), "a plan changes nothing");

            switchTo(backup);
            assertAllPrimariesIn(estate.detail(name), backup);
            HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(60));

            switchTo(home);
            assertAllPrimariesIn(estate.detail(name), home);
            HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(60));

            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertTrue(report.acked() > 100, report.toString());
            assertEquals(List.of(), estate.eventsAfter(mark, "failover.started"), "a planned switch is not a failover");
            assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
        }
    }

    private void switchTo(String idc) {
        var answer = estate.api().post("/api/clusters/" + name + "/switch", "{\"to\":\"" + idc + "\"}");
        assertEquals(202, answer.status(), answer.body());
        JsonNode task = estate.awaitTask(answer.json().get("id").asLong(), Duration.ofMinutes(2));
        assertEquals("succeeded", task.get("status").asText(), task.toString());
    }

    private static void assertAllPrimariesIn(ClusterDetail d, String idc) {
        assertEquals(idc, d.summary().primaryIdc());
        for (GroupView g : d.groups()) {
            NodeView p = ClusterHealth.primary(g).orElseThrow();
            assertEquals(idc, p.idc(), g.name());
            g.nodes().stream().filter(n -> n != p).forEach(n -> assertEquals("standby", n.role(), n.name()));
        }
    }
}
