package org.idcguard.agent.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.model.DrillReport;
import org.idcguard.model.DrillRound;
import org.junit.jupiter.api.Test;

/**
 * The manager keeps drill reports as the drill hands them in: stored with an id, listed newest first (per cluster),
 * read back whole; a failed drill raises a critical alert; a malformed report is refused with one sentence and
 * nothing is stored. (The figures here are made up: this is the store, not the drill, under test.)
 */
class DrillReportsTest {

    @Test
    void reportsAreKeptListedAndAFailedDrillIsAlerted() throws Exception {
        try (LocalEstate estate = new LocalEstate(Map.of())) {
            DrillRound good = new DrillRound(1, "power-off", "IDC1", 1367, 0, 240, 18, 1442, 1555, 8214, true, "");
            DrillRound lossy = new DrillRound(1, "freeze", "IDC2", 2016, 3, 200, 5, -1, 2024, 1232, true, "");
            var first = post(estate, new DrillReport(0, "Orders", "power-off", "IDC1", 1_000, 2_000, List.of(good), List.of()));
            assertEquals(201, first.status(), first.body());
            var second = post(estate, new DrillReport(0, "Orders", "freeze", "IDC2", 3_000, 4_000, List.of(lossy), List.of()));
            assertEquals(201, second.status(), second.body());
            long id = second.json().get("id").asLong();

            var list = estate.api().get("/api/drills?cluster=Orders").json();
            assertEquals(2, list.size());
            assertEquals(id, list.get(0).get("id").asLong(), "newest first");
            DrillReport back = Json.MAPPER.readValue(estate.api().get("/api/drills/" + id).body(), DrillReport.class);
            assertEquals(List.of(lossy), back.rounds());
            assertEquals(0, estate.api().get("/api/drills?cluster=Other").json().size());

            assertTrue(estate.events("drill.failed").stream().anyMatch(e -> e.get("message").asText()
                    .contains("3 acknowledged write(s) lost")), "a failed drill is on the timeline");
            boolean alerted = false;
            for (var a : estate.api().get("/api/alerts?open=true").json()) {
                alerted |= a.get("kind").asText().equals("drill.failed") && a.get("level").asText().equals("critical");
            }
            assertTrue(alerted, "and raised as a critical alert");

            var bad = post(estate, new DrillReport(0, "Orders", "meteor", "IDC1", 1_000, 2_000, List.of(good), List.of()));
            assertEquals(400, bad.status());
            assertEquals("The fault is power-off, freeze, partition or switch.", bad.error());
            var empty = post(estate, new DrillReport(0, "Orders", "freeze", "IDC1", 1_000, 2_000, List.of(), List.of()));
            assertEquals(400, empty.status());
            assertEquals(2, estate.api().get("/api/drills").json().size(), "nothing stored by refused reports");
            assertEquals(404, estate.api().get("/api/drills/999999").status());
        }
    }

    private static org.idcguard.agent.testing.ApiCaller.Answer post(LocalEstate estate, DrillReport report) throws Exception {
        return estate.api().post("/api/drills", Json.MAPPER.writeValueAsString(report));
    }
}
