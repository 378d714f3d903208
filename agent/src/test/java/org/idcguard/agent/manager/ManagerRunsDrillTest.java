package org.idcguard.agent.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.DrillLive;
import org.idcguard.model.DrillReport;
import org.idcguard.model.RoundTimeline;
import org.junit.jupiter.api.Test;

/**
 * A drill run by the manager as a task, as the console starts it: bad requests are refused with one sentence and
 * start nothing, a second drill of the same cluster is refused while one runs, the running drill can be followed
 * (its probe strip fills while it runs), and the stored report carries the round's timeline, whose strip holds
 * exactly the writes the round counted and whose events include the takeover.
 */
@org.junit.jupiter.api.Tag("long")
class ManagerRunsDrillTest {

    @Test
    void aDrillRunsAsATaskCanBeFollowedAndLeavesItsTimeline() throws Exception {
        try (LocalEstate estate = HaEstates.start(27, Map.of())) {
            HaEstates.createCluster(estate, "Drilled");
            var api = estate.api();

            assertEquals("The fault is power-off, freeze, partition or switch, not 'meteor'.", refused(api.post("/api/clusters/Drilled/drills",
                    "{\"fault\":\"meteor\",\"idc\":\"IDC1\",\"rounds\":1}")));
            assertEquals("The number of rounds must be between 1 and 20.", refused(api.post("/api/clusters/Drilled/drills",
                    "{\"fault\":\"power-off\",\"idc\":\"IDC1\",\"rounds\":0}")));
            assertEquals("Cluster Drilled has no node in IDC IDC9.", refused(api.post("/api/clusters/Drilled/drills",
                    "{\"fault\":\"power-off\",\"idc\":\"IDC9\",\"rounds\":1}")));
            assertEquals(404, api.post("/api/clusters/Nope/drills", "{\"fault\":\"power-off\",\"idc\":\"IDC1\",\"rounds\":1}").status());
            assertEquals(0, api.get("/api/drills/running").json().size(), "a refused drill starts nothing");
            assertEquals(0, api.get("/api/drills").json().size());

            var started = api.post("/api/clusters/Drilled/drills", "{\"fault\":\"power-off\",\"idc\":\"IDC1\",\"rounds\":1}");
            assertEquals(202, started.status(), started.body());
            long task = started.json().get("id").asLong();
            var again = api.post("/api/clusters/Drilled/drills", "{\"fault\":\"freeze\",\"idc\":\"IDC2\",\"rounds\":1}");
            assertEquals(409, again.status());
            assertEquals("A drill of Drilled is running already (task " + task + ").", again.error());

            DrillLive[] seen = new DrillLive[1];
            Waits.until(Duration.ofSeconds(90), "the running drill's probe strip fills", () -> {
                DrillLive[] live = live(api);
                seen[0] = live.length == 1 ? live[0] : null;
                return seen[0] != null && seen[0].current() != null
                        && seen[0].current().acks().stream().mapToInt(Integer::intValue).sum() > 0;
            });
            assertEquals(task, seen[0].taskId());
            assertEquals("Drilled", seen[0].cluster());

            JsonNode ended = estate.awaitTask(task, Duration.ofMinutes(4));
            assertEquals("succeeded", ended.get("status").asText(), ended.toString());
            assertEquals(0, api.get("/api/drills/running").json().size(), "nothing runs after the drill");

            DrillReport[] reports = Json.MAPPER.readValue(api.get("/api/drills?cluster=Drilled").body(), DrillReport[].class);
            assertEquals(1, reports.length);
            assertEquals(0, reports[0].timelines().size(), "a list leaves the timelines out");
            DrillReport report = Json.MAPPER.readValue(api.get("/api/drills/" + reports[0].id()).body(), DrillReport.class);
            assertEquals(1, report.rounds().size());
            assertEquals(0, report.rounds().get(0).rpo());
            var rows = report.rounds().get(0).rowsPerShard();
            assertEquals(1, rows.size(), "the data check counted the one shard's partition: " + rows);
            assertTrue(rows.values().iterator().next() >= report.rounds().get(0).acked(), "it holds every acknowledged write: " + rows);
            assertEquals(1, report.timelines().size());
            RoundTimeline t = report.timelines().get(0);
            assertTrue(t.startMillis() < t.faultMillis() && t.faultMillis() < t.restoredMillis(), t.toString());
            assertEquals(report.rounds().get(0).acked(), t.acks().stream().mapToInt(Integer::intValue).sum(),
                    "the strip holds exactly the writes the round counted");
            assertTrue(t.events().stream().anyMatch(e -> e.kind().equals("failover.done") && e.subject().equals("Drilled/coordinator")),
                    "the takeover is on the timeline");
            assertTrue(t.events().stream().allMatch(e -> e.timeMillis() >= t.startMillis()), "only the round's own events");
        }
    }

    private static DrillLive[] live(org.idcguard.agent.testing.ApiCaller api) {
        try {
            return Json.MAPPER.readValue(api.get("/api/drills/running").body(), DrillLive[].class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String refused(org.idcguard.agent.testing.ApiCaller.Answer answer) {
        assertEquals(400, answer.status(), answer.body());
        return answer.error();
    }
}
