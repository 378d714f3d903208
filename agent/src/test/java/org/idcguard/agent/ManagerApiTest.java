package org.idcguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.idcguard.agent.node.PostgresBinaries;
import org.idcguard.agent.testing.AgentProcess;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.ApiCaller.Answer;
import org.idcguard.agent.testing.TempHome;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The manager's IDC and computer API over real HTTP, against a real manager process and real node-agent processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagerApiTest {
    private static final String NODE_A = "127.0.9.1";
    private static final String NODE_B = "127.0.9.2";
    private final TempHome home = new TempHome();
    private final ApiCaller api = new ApiCaller(home.dir());
    private AgentProcess manager;
    private AgentProcess nodeA;
    private AgentProcess nodeB;

    @BeforeAll
    void start() {
        manager = AgentProcess.manager(home.dir());
        nodeA = AgentProcess.start(home.dir(), "node", "--address", NODE_A);
        nodeB = AgentProcess.start(home.dir(), "node", "--address", NODE_B);
        Waits.until(Duration.ofSeconds(30), "the manager answers", api::managerAnswers);
    }

    @AfterAll
    void stop() {
        for (AgentProcess p : new AgentProcess[] {nodeA, nodeB, manager}) {
            if (p != null) {
                p.close();
            }
        }
        home.close();
    }

    @Test
    void tokenFileIsPrivateAndEveryCallNeedsTheToken() throws Exception {
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(home.dir().resolve("manager.token")));
        Answer none = api.send("GET", "/api/idcs", null, null);
        Answer wrong = api.send("GET", "/api/idcs", null, "not-the-token");
        assertEquals(401, none.status());
        assertEquals(401, wrong.status());
        assertTrue(wrong.error().contains("credential is wrong"), wrong.body());
        assertEquals(200, api.get("/api/idcs").status());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}",
        "{\"name\":\"\",\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}",
        "{\"name\":\"ThisNameIsFarTooLongForAnIdcName12\",\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}",
        "{\"name\":\"X\",\"province\":\"Guangdong\",\"city\":\"Atlantis\"}",
        "{\"name\":\"X\",\"province\":\"Guangdong\",\"city\":\"Hangzhou\"}",
        "{\"name\":\"X\",\"province\":\"Nowhere\",\"city\":\"Shenzhen\"}",
        "{\"name\":\"a'b\",\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}",
        "{\"name\":\"x\\\"; DROP TABLE idc; --\",\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}",
        "{\"name\":\"X\",\"province\":\"Guangdong\"",
        "[1,2,3]",
        "not json at all",
        ""
    })
    void badIdcsAreRefusedWithOneSentenceAndChangeNothing(String body) {
        String before = api.get("/api/idcs").body();
        Answer answer = api.post("/api/idcs", body);
        assertEquals(400, answer.status(), answer.body());
        assertOneSentence(answer);
        assertEquals(before, api.get("/api/idcs").body());
    }

    @Test
    void hugeBodyIsRefused() {
        String before = api.get("/api/idcs").body();
        Answer answer = api.post("/api/idcs", "{\"name\":\"" + "a".repeat((int) org.idcguard.agent.http.ApiServer.MAX_BODY_BYTES) + "\"}");
        assertEquals(413, answer.status());
        assertEquals("The request body is larger than 16 MiB.", answer.error());
        assertOneSentence(answer);
        assertEquals(before, api.get("/api/idcs").body());
    }

    @Test
    void idcIsAddedEditedAndDeletedAndNamesAreUniqueIgnoringCase() {
        Answer added = api.post("/api/idcs", "{\"name\":\"Edit1\",\"province\":\"guangdong\",\"city\":\"shenzhen\"}");
        assertEquals(201, added.status(), added.body());
        assertEquals("Guangdong", added.json().get("province").asText());

        Answer duplicate = api.post("/api/idcs", "{\"name\":\"EDIT1\",\"province\":\"Zhejiang\",\"city\":\"Hangzhou\"}");
        assertEquals(409, duplicate.status());
        assertEquals("name", duplicate.json().get("field").asText());

        Answer edited = api.put("/api/idcs/Edit1", "{\"name\":\"Edit2\",\"province\":\"Zhejiang\",\"city\":\"Hangzhou\"}");
        assertEquals(200, edited.status(), edited.body());
        assertEquals(404, api.get("/api/idcs/Edit1").status());
        assertEquals("Hangzhou", api.get("/api/idcs/Edit2").json().get("city").asText());

        assertEquals(204, api.delete("/api/idcs/Edit2").status());
        assertEquals(404, api.get("/api/idcs/Edit2").status());
        assertEquals(404, api.delete("/api/idcs/Edit2").status());
    }

    @Test
    void computerIsRegisteredWithWhatItsNodeAgentReports() {
        Answer added = api.post("/api/computers", "{\"address\":\"" + NODE_A + "\"}");
        assertEquals(201, added.status(), added.body());
        JsonNode facts = added.json().get("facts");
        assertTrue(facts.get("cpus").asInt() > 0);
        assertTrue(facts.get("memoryBytes").asLong() > 0);
        assertTrue(facts.get("freeDiskBytes").asLong() > 0);
        String expected = PostgresBinaries.find().map(PostgresBinaries::version).orElse(null);
        assertEquals(expected, facts.get("postgresVersion").isNull() ? null : facts.get("postgresVersion").asText());
        assertEquals("REACHABLE", added.json().get("status").asText());
        assertEquals("https://" + NODE_A + ":7481", added.json().get("agentEndpoint").asText());
        assertEquals(409, api.post("/api/computers", "{\"address\":\"" + NODE_A + "\"}").status());
        assertEquals(204, api.delete("/api/computers/" + NODE_A).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"address\":\"300.1.1.1\"}",
        "{\"address\":\"not an address\"}",
        "{\"address\":\"127.0.9.1; rm -rf /\"}",
        "{}",
        "{\"address\":\"127.0.9.77\"}",
        "{\"address\":\"127.0.9.1\",\"idc\":\"NoSuchIdc\"}",
        "{\"address\":\"127.0.9.1\",\"agentEndpoint\":\"gopher://x\"}",
        "{\"address\":\"127.0.9.1\",\"agentEndpoint\":\"https://127.0.9.2:7481\"}"
    })
    void badComputersAreRefusedAndNothingIsStored(String body) {
        String before = api.get("/api/computers").body();
        Answer answer = api.post("/api/computers", body);
        assertTrue(answer.status() >= 400 && answer.status() < 500, answer.status() + " " + answer.body());
        assertOneSentence(answer);
        assertEquals(before, api.get("/api/computers").body());
    }

    @Test
    void idcWithBoundComputersCannotBeDeletedUntilTheyAreUnbound() {
        assertEquals(201, api.post("/api/idcs", "{\"name\":\"Bound1\",\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}").status());
        assertEquals(201, api.post("/api/computers", "{\"address\":\"" + NODE_B + "\"}").status());
        Answer bound = api.put("/api/computers/" + NODE_B, "{\"idc\":\"Bound1\"}");
        assertEquals("Bound1", bound.json().get("idc").asText(), bound.body());

        Answer refused = api.delete("/api/idcs/Bound1");
        assertEquals(409, refused.status());
        assertTrue(refused.error().contains("1 computer bound"), refused.error());
        assertEquals(200, api.get("/api/idcs/Bound1").status());

        assertTrue(api.put("/api/computers/" + NODE_B, "{\"idc\":null}").json().get("idc").isNull());
        assertEquals(204, api.delete("/api/idcs/Bound1").status());
        assertEquals(204, api.delete("/api/computers/" + NODE_B).status());
    }

    @Test
    void computerWhoseAgentStopsIsShownUnreachableAndBackWhenItReturns() {
        AgentProcess node = AgentProcess.start(home.dir(), "node", "--address", "127.0.9.3");
        try {
            Waits.until(Duration.ofSeconds(20), "the node agent is registered",
                    () -> api.post("/api/computers", "{\"address\":\"127.0.9.3\"}").status() == 201);
            node.kill();
            Waits.until(Duration.ofSeconds(15), "the computer is unreachable",
                    () -> "UNREACHABLE".equals(api.get("/api/computers/127.0.9.3").json().get("status").asText()));
            node = AgentProcess.start(home.dir(), "node", "--address", "127.0.9.3");
            Waits.until(Duration.ofSeconds(20), "the computer is reachable again",
                    () -> "REACHABLE".equals(api.get("/api/computers/127.0.9.3").json().get("status").asText()));
            JsonNode events = api.get("/api/events").json();
            assertTrue(kinds(events, "127.0.9.3").containsAll(Set.of("computer.unreachable", "computer.reachable")));
        } finally {
            node.close();
            api.delete("/api/computers/127.0.9.3");
        }
    }

    private static Set<String> kinds(JsonNode events, String subject) {
        return StreamSupport.stream(events.spliterator(), false)
                .filter(e -> e.get("subject").asText().equals(subject))
                .map(e -> e.get("kind").asText())
                .collect(java.util.stream.Collectors.toSet());
    }

    private static void assertOneSentence(Answer answer) {
        String error = answer.error();
        assertNotNull(error, answer.body());
        assertTrue(error.endsWith("."), error);
        assertFalse(error.contains("\n"), error);
        assertFalse(error.contains("Exception"), error);
    }
}
