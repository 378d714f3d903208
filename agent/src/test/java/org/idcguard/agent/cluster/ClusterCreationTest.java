package org.idcguard.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.testing.LocalEstate;
import org.junit.jupiter.api.Test;

/**
 * Creates a real cluster on real PostgreSQL processes (coordinator and 2 shards, 2 nodes per IDC per group, so
 * that both a same-IDC and a backup-IDC standby exist), checks replication from pg_stat_replication, writes
 * and reads a sharded table through the coordinator, and deletes it leaving nothing behind.
 */
class ClusterCreationTest {

    @Test
    void createsAReplicatedShardedClusterAndDeletesItCleanly() throws Exception {
        try (LocalEstate estate = new LocalEstate(Map.of(
                "IDCA", List.of("127.0.8.1", "127.0.8.2"), "IDCB", List.of("127.0.8.3", "127.0.8.4")))) {
            JsonNode task = estate.createCluster("{\"name\":\"Orders\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDCA\","
                    + "\"backupIdc\":\"IDCB\",\"shards\":2,\"nodesPerIdc\":2}");
            assertEquals("succeeded", task.get("status").asText(), task.toString());
            task.get("steps").forEach(step -> assertEquals("done", step.get("status").asText(), step.toString()));

            JsonNode detail = estate.api().get("/api/clusters/Orders").json();
            String appPassword = passwordOf(detail.get("uris").get("jdbc").asText());
            assertEquals(3, detail.get("groups").size());
            for (JsonNode group : detail.get("groups")) {
                checkReplication(group, appPassword);
            }

            try (Connection coordinator = DriverManager.getConnection(detail.get("uris").get("jdbc").asText());
                 Statement st = coordinator.createStatement()) {
                st.execute("SELECT idcguard_create_sharded_table('prod_part', 'id int, name char(8)', 'id', 6, 'id')");
                assertEquals(300, st.executeUpdate("INSERT INTO prod_part SELECT i, 'text' || i FROM generate_series(1, 300) i"));
                assertEquals(300, count(st, "SELECT count(*) FROM prod_part"));
                assertEquals(300, count(st, "SELECT count(DISTINCT id) FROM prod_part WHERE name = 'text' || id"));
            }
            int total = 0;
            for (JsonNode group : detail.get("groups")) {
                if (group.get("name").asText().startsWith("shard")) {
                    int onShard = rowsOnShard(primaryOf(group), appPassword);
                    assertTrue(onShard > 0, group.get("name").asText() + " holds no rows");
                    total += onShard;
                }
            }
            assertEquals(300, total, "every row lives on exactly one shard");

            var deletion = estate.api().delete("/api/clusters/Orders");
            assertEquals(202, deletion.status());
            assertEquals("succeeded", estate.awaitTask(deletion.json().get("id").asLong(), Duration.ofMinutes(2)).get("status").asText());
            assertEquals(0, estate.api().get("/api/clusters").json().size());
            assertEquals(List.of(), estate.postgresProcesses());
            assertEquals(List.of(), estate.instanceFiles());
        }
    }

    /** Backup-IDC standbys are synchronous (quorum), same-IDC standbys asynchronous, all streaming. */
    private static void checkReplication(JsonNode group, String appPassword) throws SQLException {
        JsonNode primary = primaryOf(group);
        assertEquals("IDCA", primary.get("idc").asText());
        Map<String, String> syncState = new HashMap<>();
        try (Connection db = connect(primary, "app", appPassword); Statement st = db.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT application_name, state, sync_state FROM pg_stat_replication");
            while (rs.next()) {
                assertEquals("streaming", rs.getString(2), rs.getString(1));
                syncState.put(rs.getString(1), rs.getString(3));
            }
        }
        for (JsonNode node : group.get("nodes")) {
            if (node == primary) {
                continue;
            }
            String name = node.get("name").asText();
            String expected = node.get("idc").asText().equals("IDCB") ? "quorum" : "async";
            assertEquals(expected, syncState.get(name), name + " in " + node.get("idc").asText());
        }
        assertEquals(3, syncState.size(), "every standby of " + group.get("name").asText() + " streams");
    }

    private static int rowsOnShard(JsonNode primary, String appPassword) throws SQLException {
        try (Connection db = connect(primary, "app", appPassword); Statement st = db.createStatement()) {
            ResultSet tables = st.executeQuery("SELECT tablename FROM pg_tables WHERE tablename LIKE 'prod_part_p%'");
            StringBuilder union = new StringBuilder();
            while (tables.next()) {
                union.append(union.isEmpty() ? "" : " UNION ALL ").append("SELECT id FROM ").append(tables.getString(1));
            }
            return union.isEmpty() ? 0 : count(st, "SELECT count(*) FROM (" + union + ") rows");
        }
    }

    private static JsonNode primaryOf(JsonNode group) {
        for (JsonNode node : group.get("nodes")) {
            if ("primary".equals(node.get("role").asText())) {
                return node;
            }
        }
        throw new AssertionError("no primary in " + group);
    }

    private static Connection connect(JsonNode node, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + node.get("address").asText() + ":" + node.get("port").asInt()
                + "/app?user=" + user + "&password=" + password);
    }

    private static int count(Statement st, String sql) throws SQLException {
        ResultSet rs = st.executeQuery(sql);
        rs.next();
        return rs.getInt(1);
    }

    private static String passwordOf(String jdbcUrl) {
        String tail = jdbcUrl.substring(jdbcUrl.indexOf("password=") + "password=".length());
        return tail.substring(0, tail.indexOf('&'));
    }
}
