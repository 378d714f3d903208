package org.idcguard.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import org.idcguard.agent.drill.DrillKind;
import org.idcguard.agent.drill.DrillRunner;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.model.DrillRound;
import org.junit.jupiter.api.Test;

/**
 * Applications get in from the cluster's client networks and from nowhere else, and that holds after a takeover and
 * the rejoin of the old primary IDC. Each client binds its own source address on the loopback range, so pg_hba
 * judges it as it would a separate host.
 */
@org.junit.jupiter.api.Tag("long")
class ClientNetworksTest {
    private static final String INSIDE = "127.0.28.100";
    private static final String OUTSIDE = "127.0.29.5";

    @Test
    void onlyTheClientNetworksGetInBeforeAndAfterATakeover() throws Exception {
        try (LocalEstate estate = HaEstates.start(28, Map.of())) {
            var refused = estate.api().post("/api/clusters", body("Clients", "\"app-host\""));
            assertEquals(400, refused.status(), refused.body());
            assertEquals("'app-host' is not a network: write an address and a prefix length, like 10.77.8.0/24.", refused.error());
            assertEquals(0, estate.api().get("/api/clusters").json().size(), "a refused creation records nothing");

            JsonNode task = estate.createCluster(body("Clients", "\"127.0.28.64/26\""));
            assertEquals("succeeded", task.get("status").asText(), task.toString());
            HaEstates.awaitFullProtection(estate, "Clients", java.time.Duration.ofSeconds(60));
            String url = estate.detail("Clients").uris().jdbc();

            assertWrites(url, INSIDE);
            SQLException outside = assertThrows(SQLException.class, () -> assertWrites(url, OUTSIDE));
            assertTrue(outside.getMessage().contains("no pg_hba.conf entry for host \"" + OUTSIDE + "\""), outside.getMessage());

            DrillRound round = new DrillRunner(estate.access(), new PrintStream(OutputStream.nullOutputStream()))
                    .run("Clients", DrillKind.POWER_OFF, "IDC1", 1).get(0);
            assertTrue(round.passed(), round.line());
            assertWrites(estate.detail("Clients").uris().jdbc(), INSIDE); // to the new primaries in IDC2
            for (var group : estate.detail("Clients").groups()) {
                for (var node : group.nodes()) {
                    // every node, the rewound ones in IDC1 included, still lets the network in and no one else
                    String direct = direct(url, node);
                    assertConnects(direct, INSIDE);
                    assertThrows(SQLException.class, () -> assertConnects(direct, OUTSIDE), node.name());
                }
            }

            // moved to another network on the running cluster: every node follows at once
            var bad = estate.api().put("/api/clusters/Clients/clients", "{\"clients\":[\"0.0.0.0/0\"]}");
            assertEquals(400, bad.status(), bad.body());
            var moved = estate.api().put("/api/clusters/Clients/clients", "{\"clients\":[\"127.0.28.130/26\"]}");
            assertEquals(200, moved.status(), moved.body());
            assertEquals("127.0.28.128/26", moved.json().get("clients").get(0).asText());
            assertEquals(0, moved.json().get("notReached").size(), moved.body());
            for (var group : estate.detail("Clients").groups()) {
                for (var node : group.nodes()) {
                    String direct = direct(url, node);
                    assertConnects(direct, "127.0.28.150");
                    assertThrows(SQLException.class, () -> assertConnects(direct, INSIDE), node.name() + " still lets the old network in");
                }
            }
        }
    }

    /** The printed URI's settings, to one node (any role). */
    private static String direct(String url, org.idcguard.model.NodeView node) {
        return "jdbc:postgresql://" + node.address() + ":" + node.port() + "/app?" + url.substring(url.indexOf('?') + 1)
                .replaceAll("targetServerType=[a-zA-Z]+&?", "");
    }

    private static String body(String name, String clients) {
        return "{\"name\":\"" + name + "\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\",\"backupIdc\":\"IDC2\",\"shards\":1,"
                + "\"nodesPerIdc\":2,\"clients\":[" + clients + "]}";
    }

    private static void assertWrites(String url, String from) throws SQLException {
        try (Connection c = connect(url, from)) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS client_check (at timestamptz DEFAULT now())");
            c.createStatement().execute("INSERT INTO client_check DEFAULT VALUES");
        }
    }

    private static void assertConnects(String url, String from) throws SQLException {
        try (Connection c = connect(url, from)) {
            c.createStatement().execute("SELECT 1");
        }
    }

    private static Connection connect(String url, String from) throws SQLException {
        Properties p = new Properties();
        p.setProperty("localSocketAddress", from);
        return DriverManager.getConnection(url, p);
    }
}
