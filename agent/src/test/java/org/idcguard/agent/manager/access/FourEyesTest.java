package org.idcguard.agent.manager.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.junit.jupiter.api.Test;

/**
 * The four-eyes rule on a real cluster: a deletion asked by one admin is held (409 naming the approval) and nothing
 * changes; the asker cannot approve it; a second admin's rejection ends it; a second admin's approval starts it as the
 * admin who asked, with their reason, and the audit trail names both.
 */
class FourEyesTest {
    private static final int BLOCK = 71;

    @Test
    void aClusterDeletionWaitsForASecondAdmin() {
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of())) {
            HaEstates.createCluster(estate, "Eyes");
            ApiCaller api = estate.api();
            String me = api.get("/api/whoami").json().path("name").asText();
            String ada = AccessMatrixTest.session(api, "ada", "admin");
            assertEquals(200, api.put("/api/settings/access", "{\"fourEyes\":true}").status());

            // a cluster that does not exist is refused at once: nothing is held for approval
            assertEquals(404, api.delete("/api/clusters/Nosuch").status());
            assertEquals(0, api.get("/api/approvals").json().size());

            ApiCaller.Answer held = api.sendWithReason("DELETE", "/api/clusters/Eyes", null, api.token(), "CHG-7 decommission");
            assertEquals(409, held.status(), held.body());
            assertTrue(held.error().startsWith("The four-eyes rule holds the deletion of cluster Eyes until a second admin approves it: approval "),
                    held.error());
            long first = api.get("/api/approvals").json().get(0).path("id").asLong();
            JsonNode still = api.get("/api/clusters").json().get(0);
            assertTrue(still.path("name").asText().equals("Eyes") && !still.path("status").asText().equals("deleting"),
                    "nothing changed: " + still);

            ApiCaller.Answer self = api.post("/api/approvals/" + first + "/approve", "");
            assertEquals(403, self.status(), self.body());
            assertEquals("A second admin must approve the deletion of cluster Eyes: " + me + " asked for it and may not approve it too.",
                    self.error());
            assertEquals(200, api.send("POST", "/api/approvals/" + first + "/reject", "", ada).status());
            assertEquals(409, api.send("POST", "/api/approvals/" + first + "/approve", "", ada).status(), "a rejected one stays so");

            api.sendWithReason("DELETE", "/api/clusters/Eyes", null, api.token(), "CHG-7 decommission");
            long second = api.get("/api/approvals").json().get(0).path("id").asLong();
            ApiCaller.Answer approved = api.send("POST", "/api/approvals/" + second + "/approve", "", ada);
            assertEquals(202, approved.status(), approved.body());
            JsonNode task = estate.awaitTask(approved.json().path("id").asLong(), Duration.ofMinutes(2));
            assertEquals("succeeded", task.path("status").asText(), task.toString());
            assertEquals(me, task.path("operator").asText(), "the operation runs as the admin who asked");
            assertEquals(404, api.get("/api/clusters/Eyes").status());

            JsonNode trail = api.get("/api/audit?subject=Eyes").json();
            assertTrue(trail.toString().contains("\"kind\":\"approval.granted\",\"subject\":\"Eyes\""), trail.toString());
            boolean deletedByAskerApprovedByAda = false;
            for (JsonNode e : trail) {
                if (e.path("kind").asText().equals("cluster.deleting")) {
                    deletedByAskerApprovedByAda = e.path("actor").asText().equals(me)
                            && e.path("reason").asText().equals("CHG-7 decommission; approved by ada");
                }
            }
            assertTrue(deletedByAskerApprovedByAda, trail.toString());
        }
    }
}
