package org.idcguard.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.Test;

/** A node agent killed and restarted finds its instances as they are, and starts none by itself. */
class NodeAgentRestartTest {
    private static final String PRIMARY_HOST = "127.0.6.1";

    @Test
    void restartedAgentReportsItsInstancesAndStartsNothing() throws Exception {
        try (LocalEstate estate = new LocalEstate(Map.of("IDCA", List.of(PRIMARY_HOST), "IDCB", List.of("127.0.6.2")))) {
            JsonNode task = estate.createCluster("{\"name\":\"Restart\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDCA\","
                    + "\"backupIdc\":\"IDCB\",\"shards\":1,\"nodesPerIdc\":1}");
            assertEquals("succeeded", task.get("status").asText(), task.toString());
            Map<String, Long> pidsBefore = pids(estate);
            assertEquals(2, pidsBefore.size());
            call(estate, "POST", "/api/instances/restart-shard1-1/stop?mode=fast");

            estate.restartNode(PRIMARY_HOST);
            // Until the new agent listens its port refuses; the last answer or failure is kept for the message.
            String[] last = {"none"};
            try {
                Waits.until(Duration.ofSeconds(30), "the agent answers again", () -> {
                    try {
                        return call(estate, "GET", "/api/instances").size() == 2;
                    } catch (Exception | AssertionError e) {
                        last[0] = e.toString();
                        return false;
                    }
                });
            } catch (AssertionError timedOut) {
                throw new AssertionError(timedOut.getMessage() + "; the last answer: " + last[0], timedOut);
            }
            JsonNode instances = call(estate, "GET", "/api/instances");
            Map<String, JsonNode> byName = new HashMap<>();
            instances.forEach(i -> byName.put(i.get("name").asText(), i));
            assertTrue(byName.get("restart-coordinator-1").get("running").asBoolean());
            assertEquals(pidsBefore.get("restart-coordinator-1"), byName.get("restart-coordinator-1").get("pid").asLong(),
                    "the running primary was found, not restarted");
            assertFalse(byName.get("restart-shard1-1").get("running").asBoolean(), "a stopped primary stays stopped");
            assertFalse(byName.get("restart-shard1-1").get("standby").asBoolean());
        }
    }

    private static Map<String, Long> pids(LocalEstate estate) throws Exception {
        Map<String, Long> pids = new HashMap<>();
        call(estate, "GET", "/api/instances").forEach(i -> pids.put(i.get("name").asText(), i.get("pid").asLong()));
        return pids;
    }

    /** Calls the node agent as the manager does: mutual TLS with the manager's certificate from the estate's home. */
    private static JsonNode call(LocalEstate estate, String method, String path) throws Exception {
        TlsIdentity manager = TlsIdentity.load(new AgentHome(estate.home()).managerIdentityFile()).orElseThrow();
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + PRIMARY_HOST + ":7481" + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build();
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(manager.sslContext()).build().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), method + " " + path + " answered: " + response.body());
        return Json.MAPPER.readTree(response.body());
    }
}
