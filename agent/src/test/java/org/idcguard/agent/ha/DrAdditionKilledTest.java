package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * The manager is SIGKILLed at every recorded step of adding a DR city (a test pause holds it there): the DR standbys
 * recorded and nothing else; every node letting the DR computers in; one DR standby built and the other not. Each time
 * the next manager rolls the addition back: no DR node in the record, no instance, process or file left on the DR
 * computer, no node still letting it in, one primary per group, fully protected. Then the addition runs to its end, and
 * across all of it the probe loses nothing and no group has two writable primaries.
 */
@org.junit.jupiter.api.Tag("long")
class DrAdditionKilledTest {
    private static final int BLOCK = 44;
    private static final String NAME = "Grow";
    private static final String DR_COMPUTER = "127.0." + BLOCK + ".5";

    @Test
    void everyStepOfAddingADrCityRollsBackAfterAKill() throws Exception {
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of())) {
            estate.addIdc("IDC3", "Guangdong", "Guangzhou", List.of(DR_COMPUTER));
            JsonNode created = estate.createCluster("{\"name\":\"" + NAME + "\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\","
                    + "\"backupIdc\":\"IDC2\",\"shards\":1,\"nodesPerIdc\":1,\"computers\":[\"127.0." + BLOCK + ".1\",\"127.0." + BLOCK + ".3\"]}");
            assertEquals("succeeded", created.get("status").asText(), created.toString());
            HaEstates.awaitFullProtection(estate, NAME, Duration.ofSeconds(60));
            ClusterDetail before = estate.detail(NAME);
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before)) {
                ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
                probe.prepare();
                probe.start();
                for (String step : List.of("dr-add-recorded", "dr-add-admitted", "dr-add-copied")) {
                    estate.killManager();
                    estate.startManager(Map.of("IDCGUARD_TEST_PAUSE_AT", step + ":120000"));
                    HaEstates.awaitFullProtection(estate, NAME, Duration.ofSeconds(60));
                    int rolledBack = estate.events("dr.rolled-back").size();
                    var added = estate.api().post("/api/clusters/" + NAME + "/dr", "{\"drIdc\":\"IDC3\"}");
                    assertEquals(202, added.status(), added.body());
                    Waits.until(Duration.ofSeconds(60), "the manager pauses at " + step, () -> !estate.events("test.paused", step).isEmpty());
                    List<String> drNodes = drNodes(estate.detail(NAME));
                    assertEquals(2, drNodes.size(), "one DR standby per group recorded before anything is built");
                    if (step.equals("dr-add-copied")) {
                        // the premise of the step: one DR standby runs on the DR computer, the other was never started
                        assertEquals(1, drProcesses(estate, drNodes).size(), "one DR standby built at " + step);
                    }
                    if (!step.equals("dr-add-recorded")) {
                        assertTrue(admittedAnywhere(estate, estate.detail(NAME)), "the nodes let the DR computer in at " + step);
                    }

                    estate.killManager();
                    estate.startManager();
                    Waits.until(Duration.ofSeconds(60), "the addition killed at " + step + " is rolled back",
                            () -> estate.events("dr.rolled-back").size() > rolledBack);
                    // the roll-back runs as the manager starts, before its first probe has seen the primaries
                    Waits.until(Duration.ofSeconds(30), "the restarted manager sees every group's primary", () -> estate.detail(NAME)
                            .groups().stream().allMatch(g -> ClusterHealth.primary(g).isPresent()));
                    ClusterDetail after = estate.detail(NAME);
                    assertNull(after.summary().drIdc(), "the DR IDC is gone after a kill at " + step);
                    assertEquals(List.of(), drNodes(after), "no DR node is left in the record after a kill at " + step);
                    assertEquals(List.of(), drProcesses(estate, drNodes), "no DR standby runs after a kill at " + step);
                    assertEquals(List.of(), estate.instanceFiles().stream().filter(f -> drNodes.stream().anyMatch(n -> f.toString().contains(n)))
                            .toList(), "no file of a DR standby is left after a kill at " + step);
                    assertFalse(admittedAnywhere(estate, after), "a node still lets the DR computer in after a kill at " + step);
                    for (GroupView g : after.groups()) {
                        assertEquals("IDC1", ClusterHealth.primary(g).orElseThrow().idc(), g.name() + " keeps its primary");
                    }
                    HaEstates.awaitFullProtection(estate, NAME, Duration.ofSeconds(60));
                }

                var added = estate.api().post("/api/clusters/" + NAME + "/dr", "{\"drIdc\":\"IDC3\"}");
                assertEquals(202, added.status(), added.body());
                JsonNode task = estate.awaitTask(added.json().get("id").asLong(), Duration.ofMinutes(2));
                assertEquals("succeeded", task.get("status").asText(), "the addition runs to its end after three roll-backs: " + task);
                Waits.until(Duration.ofSeconds(30), "the DR standbys stream", () -> estate.detail(NAME).groups().stream()
                        .allMatch(g -> g.nodes().stream().anyMatch(n -> n.idc().equals("IDC3") && "async".equals(n.syncState()))));
                ProbeReport report = probe.stop();
                assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
                assertTrue(report.acked() > 100, report.toString());
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            }
        }
    }

    private static List<String> drNodes(ClusterDetail d) {
        return d.groups().stream().flatMap(g -> g.nodes().stream()).filter(n -> n.idc().equals("IDC3")).map(NodeView::name).toList();
    }

    private static List<ProcessHandle> drProcesses(LocalEstate estate, List<String> drNodes) {
        return estate.postgresProcesses().stream().filter(p -> p.info().arguments()
                .map(a -> drNodes.stream().anyMatch(n -> String.join(" ", a).contains(n))).orElse(false)).toList();
    }

    /** Whether some primary's pg_hba has a rule for the DR computer. */
    private static boolean admittedAnywhere(LocalEstate estate, ClusterDetail d) throws Exception {
        for (GroupView g : d.groups()) {
            NodeView p = ClusterHealth.primary(g).orElseThrow();
            try (Connection db = estate.superuser(p, p);
                 PreparedStatement st = db.prepareStatement("SELECT count(*) FROM pg_hba_file_rules WHERE address = ?")) {
                st.setString(1, DR_COMPUTER);
                ResultSet rs = st.executeQuery();
                rs.next();
                if (rs.getLong(1) > 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
