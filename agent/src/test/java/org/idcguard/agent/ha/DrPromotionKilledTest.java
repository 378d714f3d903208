package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * A consistent promotion of the DR city whose manager is SIGKILLed once every group's intent says promoting (a test
 * pause holds it there): the restarted manager rolls each group forward at the restore point the DBA was shown, clears
 * the recovery target it set, and swaps the cluster's IDCs once the last group has moved.
 */
@org.junit.jupiter.api.Tag("long")
class DrPromotionKilledTest {
    private static final int BLOCK = 63;

    @Test
    void aConsistentPromotionRolledForwardStopsAtItsRestorePointAndSwapsTheIdcs() throws Exception {
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of("IDCGUARD_TEST_PAUSE_AT", "dr-promoting:120000"))) {
            estate.addIdc("IDC3", "Guangdong", "Guangzhou", List.of("127.0." + BLOCK + ".5"));
            JsonNode created = estate.createCluster("{\"name\":\"Roll\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\",\"backupIdc\":\"IDC2\","
                    + "\"shards\":1,\"nodesPerIdc\":1,\"drIdc\":\"IDC3\",\"computers\":[\"127.0." + BLOCK + ".1\",\"127.0." + BLOCK
                    + ".3\",\"127.0." + BLOCK + ".5\"]}");
            assertEquals("succeeded", created.get("status").asText(), created.toString());
            HaEstates.awaitFullProtection(estate, "Roll", Duration.ofSeconds(60));
            long createdAt = System.currentTimeMillis();
            // a DR standby replays an apply delay behind once it is set: points marked after that are ones it can stop at
            Waits.until(Duration.ofSeconds(40), "a restore point every DR standby holds, marked after the delays were set", () -> {
                JsonNode dr = estate.api().get("/api/clusters/Roll/dr").json();
                return !dr.get("restorePoint").isNull() && dr.get("restorePointMillis").asLong() > createdAt + 5000;
            });
            List<String> mainCity = new ArrayList<>(estate.access().computersOf("IDC1"));
            mainCity.addAll(estate.access().computersOf("IDC2"));
            new IdcFault(IdcFault.Kind.POWER_OFF, mainCity).apply();
            Waits.until(Duration.ofSeconds(20), "the preflight is clear", () -> estate.api()
                    .get("/api/clusters/Roll/dr/promote?to=IDC3&mode=consistent").json().get("blockers").isEmpty());
            JsonNode plan = estate.api().get("/api/clusters/Roll/dr/promote?to=IDC3&mode=consistent").json();
            String point = plan.get("restorePoint").asText();
            var answer = estate.api().post("/api/clusters/Roll/dr/promote", "{\"to\":\"IDC3\",\"mode\":\"consistent\",\"acceptLoss\":true}");
            assertEquals(202, answer.status(), answer.body());
            Waits.until(Duration.ofSeconds(60), "both groups' intents say promoting", () -> estate.events("test.paused", "dr-promoting").size() == 2);
            estate.killManager();
            estate.startManager();
            try {
                Waits.until(Duration.ofSeconds(60), "the restarted manager rolls both groups forward and swaps the IDCs", () -> {
                    ClusterDetail d = estate.detail("Roll");
                    return d.summary().primaryIdc().equals("IDC3") && d.groups().stream().allMatch(g -> drNode(g).role().equals("primary"));
                });
            } catch (AssertionError e) {
                List<String> seen = new ArrayList<>();
                estate.api().get("/api/events?after=0").json().forEach(ev -> {
                    if (ev.get("kind").asText().startsWith("failover") || ev.get("kind").asText().startsWith("dr")) {
                        seen.add(ev.get("kind").asText() + ": " + ev.get("message").asText());
                    }
                });
                throw new AssertionError(e.getMessage() + "; intents " + estate.api().get("/api/intents").body() + "; events " + seen
                        + "; " + estate.detail("Roll"), e);
            }
            ClusterDetail promoted = estate.detail("Roll");
            assertEquals("IDC1", promoted.summary().backupIdc());
            for (GroupView g : promoted.groups()) {
                NodeView n = drNode(g);
                assertEquals(1, g.nodes().stream().filter(x -> x.role().equals("primary")).count(), g.name() + " has one primary");
                try (Connection db = estate.superuser(n, n); Statement st = db.createStatement()) {
                    ResultSet rs = st.executeQuery("SELECT pg_read_file('pg_wal/' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) "
                            + "|| '.history')");
                    rs.next();
                    String history = rs.getString(1).strip();
                    String last = history.substring(history.lastIndexOf('\n') + 1);
                    assertTrue(last.endsWith("at restore point \"" + point + "\""), g.name() + " stops at the restore point " + point
                            + " the DBA was shown; its timeline history says: " + last);
                    rs = st.executeQuery("SELECT count(*) FROM pg_file_settings WHERE name LIKE 'recovery_target%'");
                    rs.next();
                    assertEquals(0, rs.getLong(1), g.name() + ": the recovery target is cleared from " + n.name() + "'s settings");
                }
            }
            assertEquals(List.of(), estate.api().get("/api/intents").json().findValues("id"), "no intent is left open");
            System.out.printf("consistent promotion rolled forward by a restarted manager at %s%n", point);
        }
    }

    private static NodeView drNode(GroupView g) {
        return g.nodes().stream().filter(n -> n.idc().equals("IDC3")).findFirst().orElseThrow();
    }
}
