package org.idcguard.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.testing.ApiCaller.Answer;
import org.idcguard.agent.testing.LocalEstate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Creations that must be refused before anything is made, and one that fails midway and is rolled back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterRefusalTest {
    private LocalEstate estate;

    @BeforeAll
    void start() {
        estate = new LocalEstate(Map.of("IDCA", List.of("127.0.7.1"), "IDCB", List.of("127.0.7.2")));
        assertEquals(201, estate.api().post("/api/idcs", "{\"name\":\"FAR\",\"province\":\"Zhejiang\",\"city\":\"Hangzhou\"}").status());
        assertEquals(201, estate.api().post("/api/idcs", "{\"name\":\"NOPG\",\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}").status());
        estate.startNode("127.0.7.3", Map.of("IDCGUARD_POSTGRES_BIN", "/nonexistent"));
        estate.addComputer("127.0.7.3", "NOPG");
    }

    @AfterAll
    void stop() {
        estate.close();
    }

    @Test
    void tooFewComputersInAnIdc() {
        assertRefusedAndNothingMade(body("Two", "IDCA", "IDCB", 2), 422, "computers", "IDC IDCA has 1 reachable computer");
    }

    @Test
    void idcsOfAnotherCity() {
        assertRefusedAndNothingMade(body("Far", "IDCA", "FAR", 1), 422, "backupIdc", "IDC FAR is in Hangzhou");
    }

    @Test
    void postgresMissingOnTheComputers() {
        assertRefusedAndNothingMade(body("NoPg", "IDCA", "NOPG", 1), 422, "computers", "IDC NOPG has 0 reachable computers with PostgreSQL");
    }

    @Test
    void badShapes() {
        assertRefusedAndNothingMade(body("x'; drop", "IDCA", "IDCB", 1), 400, "name", "A cluster name may use only");
        assertRefusedAndNothingMade(body("Same", "IDCA", "IDCA", 1), 400, "backupIdc", "The backup IDC must differ");
        assertRefusedAndNothingMade(body("Zero", "IDCA", "IDCB", 0), 400, "nodesPerIdc", "Each group has 1 to 4 nodes");
        assertRefusedAndNothingMade("{\"name\":\"Cross\",\"kind\":\"cross-city\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDCA\","
                + "\"backupIdc\":\"IDCB\"}", 400, "drIdc", "A cross-city cluster needs a DR IDC");
        assertRefusedAndNothingMade("{\"name\":\"Odd\",\"kind\":\"galactic\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDCA\","
                + "\"backupIdc\":\"IDCB\"}", 400, "kind", "The cluster kind is intra-city");
        assertRefusedAndNothingMade("{\"name\":\"Twice\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDCA\",\"backupIdc\":\"IDCB\","
                + "\"drIdc\":\"IDCA\"}", 400, "drIdc", "The DR IDC must differ");
    }

    @Test
    void duplicateNameIsRefusedAndAFailureMidwayRollsEverythingBack() throws Exception {
        // The plan puts shard1's standby on 127.0.7.2:15433; holding that port makes its start fail midway.
        try (ServerSocket squatter = new ServerSocket(15433, 1, InetAddress.getByName("127.0.7.2"))) {
            JsonNode task = estate.createCluster(body("Rollback", "IDCA", "IDCB", 1));
            assertEquals("failed", task.get("status").asText(), task.toString());
            assertTrue(task.get("message").asText().contains("Everything it had made was removed"), task.toString());
            JsonNode last = task.get("steps").get(task.get("steps").size() - 1);
            assertTrue(last.get("name").asText().startsWith("Roll back"), last.toString());
            assertEquals("done", last.get("status").asText());
        }
        assertEquals(0, estate.api().get("/api/clusters").json().size());
        assertEquals(List.of(), estate.postgresProcesses());
        assertEquals(List.of(), estate.instanceFiles());

        assertEquals("succeeded", estate.createCluster(body("Dup", "IDCA", "IDCB", 1)).get("status").asText());
        assertRefusedAndNothingMade(body("DUP", "IDCA", "IDCB", 1), 409, "name", "A cluster named DUP already exists.");
    }

    private void assertRefusedAndNothingMade(String body, int status, String field, String sentenceStart) {
        String clustersBefore = estate.api().get("/api/clusters").body();
        int tasksBefore = estate.api().get("/api/tasks").json().size();
        int processesBefore = estate.postgresProcesses().size();
        Answer answer = estate.api().post("/api/clusters", body);
        assertEquals(status, answer.status(), answer.body());
        assertEquals(field, answer.json().path("field").asText(), answer.body());
        assertTrue(answer.error().startsWith(sentenceStart), answer.error());
        assertEquals(clustersBefore, estate.api().get("/api/clusters").body());
        assertEquals(tasksBefore, estate.api().get("/api/tasks").json().size());
        assertEquals(processesBefore, estate.postgresProcesses().size());
    }

    private static String body(String name, String primary, String backup, int nodesPerIdc) {
        return "{\"name\":\"" + name + "\",\"city\":\"Shenzhen\",\"primaryIdc\":\"" + primary + "\",\"backupIdc\":\""
                + backup + "\",\"shards\":2,\"nodesPerIdc\":" + nodesPerIdc + "}";
    }
}
