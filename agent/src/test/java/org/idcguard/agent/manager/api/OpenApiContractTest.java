package org.idcguard.agent.manager.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.manager.server.ManagerServer;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.TempHome;
import org.junit.jupiter.api.Test;

/**
 * The API description cannot drift: every route a running manager serves is described in /api/openapi.json and every
 * path described is served, with the same methods; every schema named after a model record has exactly that record's
 * fields. (A route added without its description, or a field renamed, fails here.)
 */
class OpenApiContractTest {

    @Test
    void theDescriptionServedMatchesTheRoutesAndTheModel() throws Exception {
        try (TempHome home = new TempHome(); ManagerServer manager = ManagerServer.start(new AgentHome(home.dir()), "127.0.0.1", 0)) {
            ApiCaller api = new ApiCaller(home.dir());
            ApiCaller.Answer served = api.get("/api/openapi.json");
            assertEquals(200, served.status(), served.body());
            JsonNode doc = served.json();
            assertEquals(Json.MAPPER.readTree(ManagerServer.openApi()), doc);
            assertTrue(doc.get("openapi").asText().startsWith("3."), "OpenAPI 3");

            Set<String> described = new TreeSet<>();
            doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                    .forEachRemaining(method -> described.add(method.toUpperCase() + " " + p.getKey())));
            Set<String> routes = new TreeSet<>(manager.endpoints());
            assertEquals(List.of(), difference(routes, described), "routes served but not described");
            assertEquals(List.of(), difference(described, routes), "paths described but not served");

            List<String> mismatched = new ArrayList<>();
            doc.get("components").get("schemas").fields().forEachRemaining(s -> {
                Class<?> type = modelRecord(s.getKey());
                if (type != null) {
                    Set<String> fields = Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).collect(Collectors.toCollection(TreeSet::new));
                    Set<String> properties = new TreeSet<>();
                    s.getValue().path("properties").fieldNames().forEachRemaining(properties::add);
                    if (!fields.equals(properties)) {
                        mismatched.add(s.getKey() + ": record " + fields + ", described " + properties);
                    }
                }
            });
            assertEquals(List.of(), mismatched, "schemas that differ from the model");
            assertTrue(doc.get("components").get("schemas").size() > 30, "the model's records are described");
        }
    }

    private static List<String> difference(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).toList();
    }

    private static Class<?> modelRecord(String name) {
        try {
            Class<?> c = Class.forName("org.idcguard.model." + name);
            return c.isRecord() ? c : null;
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

}
