package org.idcguard.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.Test;

/** A manager SIGKILLed while it creates a cluster rolls the half-made cluster back when it restarts. */
@org.junit.jupiter.api.Tag("long")
class ManagerKilledDuringCreationTest {

    @Test
    void restartedManagerRemovesWhatTheInterruptedCreationLeft() {
        try (LocalEstate estate = new LocalEstate(Map.of("IDCA", List.of("127.0.5.1"), "IDCB", List.of("127.0.5.2")))) {
            var answer = estate.api().post("/api/clusters", "{\"name\":\"Killed\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDCA\","
                    + "\"backupIdc\":\"IDCB\",\"shards\":2,\"nodesPerIdc\":1}");
            assertEquals(202, answer.status(), answer.body());
            long taskId = answer.json().get("id").asLong();
            Waits.until(Duration.ofSeconds(60), "a primary is running", () -> !estate.postgresProcesses().isEmpty());

            estate.killAndRestartManager();

            JsonNode task = estate.api().get("/api/tasks/" + taskId).json();
            assertEquals("failed", task.get("status").asText(), task.toString());
            assertTrue(task.get("message").asText().contains("manager stopped"), task.toString());
            Waits.until(Duration.ofSeconds(60), "the half-made cluster is gone",
                    () -> estate.api().get("/api/clusters").json().isEmpty());
            Waits.until(Duration.ofSeconds(30), "no instance process is left", () -> estate.postgresProcesses().isEmpty());
            assertEquals(List.of(), estate.instanceFiles());
        }
    }
}
