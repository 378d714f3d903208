package org.idcguard.agent.manager.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.Test;

/**
 * A computer's node agent is SIGKILLed: the manager raises a warning alert, hands it to the configured command as
 * JSON, lists it as open until a DBA acknowledges it, and refuses bad input with one sentence, changing nothing.
 */
class AlertsTest {
    private static final String ADDRESS = "127.0.26.1";

    @Test
    void anUnreachableComputerIsAlertedForwardedAndAcknowledged() throws Exception {
        Path hook = Files.createTempFile("idcguard-alerts", ".json");
        try (LocalEstate estate = new LocalEstate(Map.of("IDC1", List.of(ADDRESS)))) {
            var bad = estate.api().put("/api/settings/alerts", "{\"command\":\"echo one\\necho two\"}");
            assertEquals(400, bad.status(), bad.body());
            assertEquals("The alert command must be one line.", bad.error());
            assertEquals("null", estate.api().get("/api/settings/alerts").json().path("command").toString());

            var set = estate.api().put("/api/settings/alerts", "{\"command\":\"cat >> '" + hook + "'; echo >> '" + hook + "'\"}");
            assertEquals(200, set.status(), set.body());
            estate.killNode(ADDRESS);

            Waits.until(Duration.ofSeconds(20), "an open alert says the computer is unreachable",
                    () -> openAlerts(estate).stream().anyMatch(a -> a.get("kind").asText().equals("computer.unreachable")));
            JsonNode alert = openAlerts(estate).stream().filter(a -> a.get("kind").asText().equals("computer.unreachable"))
                    .findFirst().orElseThrow();
            assertEquals("warning", alert.get("level").asText());
            assertEquals(ADDRESS, alert.get("subject").asText());

            Waits.until(Duration.ofSeconds(10), "the command got the alert", () -> forwarded(hook).stream()
                    .anyMatch(a -> a.get("id").asLong() == alert.get("id").asLong()));

            var ack = estate.api().post("/api/alerts/" + alert.get("id").asLong() + "/ack", "");
            assertEquals(200, ack.status(), ack.body());
            assertTrue(ack.json().get("ackedMillis").asLong() > 0);
            assertFalse(openAlerts(estate).stream().anyMatch(a -> a.get("id").asLong() == alert.get("id").asLong()));
            var unknown = estate.api().post("/api/alerts/999999/ack", "");
            assertEquals(404, unknown.status());
            assertEquals("There is no alert 999999.", unknown.error());
        } finally {
            Files.deleteIfExists(hook);
        }
    }

    private static List<JsonNode> openAlerts(LocalEstate estate) {
        List<JsonNode> open = new java.util.ArrayList<>();
        estate.api().get("/api/alerts?open=true").json().forEach(open::add);
        return open;
    }

    private static List<JsonNode> forwarded(Path hook) {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> alerts = new java.util.ArrayList<>();
        try {
            for (String line : Files.readAllLines(hook)) {
                if (!line.isBlank()) {
                    alerts.add(json.readTree(line));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return alerts;
    }
}
