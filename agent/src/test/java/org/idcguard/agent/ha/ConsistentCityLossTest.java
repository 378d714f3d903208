package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * The consistent promotion of the DR city on real PostgreSQL: no restore point is marked while a transaction that wrote
 * a sharded table is open (the write gate); then transactions written across both shards through the coordinator while
 * one shard's DR standby stalls, and the main city powered off; promoted at the newest common restore point, every
 * group stops exactly there and no transaction is present on one shard and missing on another.
 */
@org.junit.jupiter.api.Tag("long")
class ConsistentCityLossTest {
    private static final int BLOCK = 39;
    private static final int ROWS_PER_TRANSACTION = 4;
    private static final java.util.Set<String> PAUSED = java.util.Set.of("pause requested", "paused");

    @Test
    void everyGroupStopsAtOneRestorePointAndNoTransactionIsTorn() throws Exception {
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of())) {
            estate.addIdc("IDC3", "Guangdong", "Guangzhou", List.of("127.0." + BLOCK + ".5"));
            JsonNode created = estate.createCluster("{\"name\":\"Cut\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\",\"backupIdc\":\"IDC2\","
                    + "\"shards\":2,\"nodesPerIdc\":1,\"drIdc\":\"IDC3\",\"computers\":[\"127.0." + BLOCK + ".1\",\"127.0." + BLOCK
                    + ".3\",\"127.0." + BLOCK + ".5\"]}");
            assertEquals("succeeded", created.get("status").asText(), created.toString());
            HaEstates.awaitFullProtection(estate, "Cut", Duration.ofSeconds(60));
            ClusterDetail before = estate.detail("Cut");
            String jdbc = before.uris().jdbc();
            try (Connection db = DriverManager.getConnection(jdbc); Statement st = db.createStatement()) {
                st.execute("SELECT idcguard_create_sharded_table('xfer', 'id bigint, txn bigint', 'id', 2, 'id')");
            }
            // the gate: while a transaction that wrote a sharded table stays open, no restore point is marked
            try (Connection open = DriverManager.getConnection(jdbc)) {
                Waits.until(Duration.ofSeconds(30), "a first restore point", () -> !estate.api().get("/api/clusters/Cut/dr").json()
                        .get("restorePoint").isNull());
                open.setAutoCommit(false);
                try (Statement st = open.createStatement()) {
                    st.execute("INSERT INTO xfer (id, txn) VALUES (-1, -1)");
                }
                long heldFrom = System.currentTimeMillis();
                Thread.sleep(3 * 5000 / 2);
                long newest = estate.api().get("/api/clusters/Cut/dr").json().get("restorePointMillis").asLong();
                assertTrue(newest < heldFrom, "a restore point was marked while a distributed transaction was open");
                open.commit();
                Waits.until(Duration.ofSeconds(30), "a restore point once it committed", () -> estate.api().get("/api/clusters/Cut/dr")
                        .json().get("restorePointMillis").asLong() > heldFrom);
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong acked = new AtomicLong();
            Thread writer = new Thread(() -> writeAcrossShards(jdbc, writing, acked), "cross-shard-writer");
            writer.start();
            try {
                Waits.until(Duration.ofSeconds(30), "the DR apply delays set", () -> drApplyDelays(estate, before).stream().allMatch(d -> d > 0));
                long delayed = System.currentTimeMillis();
                // a DR standby has replayed up to where its delay was set: the points to stop at are those marked after
                Waits.until(Duration.ofSeconds(30), "a restore point every DR standby holds, marked after the delays", () -> {
                    JsonNode dr = estate.api().get("/api/clusters/Cut/dr").json();
                    return !dr.get("restorePoint").isNull() && dr.get("restorePointMillis").asLong() > delayed;
                });

                // shard1's DR standby stalls while transactions go on across both shards; then the main city goes dark
                NodeView shard1Dr = drNode(before, "shard1");
                List<ProcessHandle> stalled = PrimaryFailureTest.processTree(shard1Dr.pid());
                PrimaryFailureTest.signal("-STOP", stalled);
                try {
                    long stalledAt = acked.get();
                    Waits.until(Duration.ofSeconds(10), "transactions commit while shard1's DR standby stalls",
                            () -> acked.get() > stalledAt + 50);
                    List<String> mainCity = new ArrayList<>(estate.access().computersOf("IDC1"));
                    mainCity.addAll(estate.access().computersOf("IDC2"));
                    new IdcFault(IdcFault.Kind.POWER_OFF, mainCity).apply();
                } finally {
                    PrimaryFailureTest.signal("-CONT", stalled);
                }
                Waits.until(Duration.ofSeconds(30), "the city-lost alert", () -> !estate.events("alert.city-lost").isEmpty());
                // the apply delay holds a DR standby behind the newest points only for its own length (30 s): a DBA who
                // promotes later finds them kept only because the manager paused the replay once the primaries fell silent.
                // A pause is "requested" until the startup process looks again (at the end of the commit's delay), but it
                // already applies no further record.
                Waits.until(Duration.ofSeconds(20), "every DR standby's replay paused while the main city is silent",
                        () -> onDrStandbys(before, "SELECT pg_get_wal_replay_pause_state()").stream().allMatch(PAUSED::contains));
            } finally {
                writing.set(false);
                writer.join(10_000);
            }

            JsonNode plan = estate.api().get("/api/clusters/Cut/dr/promote?to=IDC3&mode=consistent").json();
            assertEquals(0, plan.get("blockers").size(), plan.toString());
            String point = plan.get("restorePoint").asText();
            assertNotNull(point);
            var answer = estate.api().post("/api/clusters/Cut/dr/promote", "{\"to\":\"IDC3\",\"mode\":\"consistent\",\"acceptLoss\":true}");
            assertEquals(202, answer.status(), answer.body());
            JsonNode task = estate.awaitTask(answer.json().get("id").asLong(), Duration.ofMinutes(2));
            assertEquals("succeeded", task.get("status").asText(), task.toString());

            ClusterDetail promoted = estate.detail("Cut");
            for (GroupView g : promoted.groups()) {
                assertEquals("IDC3", ClusterHealth.primary(g).orElseThrow().idc(), g.name());
            }
            JsonNode status = estate.api().get("/api/clusters/Cut/dr").json();
            for (JsonNode p : status.get("promotions")) {
                String planned = findMove(plan, p.get("group").asText()).get("candidateLsn").asText();
                assertEquals(planned, p.get("promotedLsn").asText(), "every group stops at the restore point: " + p);
                assertEquals("consistent", p.get("mode").asText());
                assertTrue(p.get("lossBytes").asLong() <= Math.max(0, p.get("estimatedLossBytes").asLong()),
                        "actual loss above the estimate shown: " + p);
            }
            Waits.until(Duration.ofSeconds(30), "the coordinator reaches the new shard primaries", () -> torn(estate.detail("Cut").uris().jdbc()) >= 0);
            long torn = torn(estate.detail("Cut").uris().jdbc());
            assertEquals(0, torn, "transactions present on one shard and missing on another after a consistent promotion");
            // they were committed in two phases, and no part of one is left prepared in the DR city
            ClusterDetail after = estate.detail("Cut");
            NodeView coordinator = ClusterHealth.primary(after.groups().stream().filter(g -> g.name().equals("coordinator"))
                    .findFirst().orElseThrow()).orElseThrow();
            long decisions;
            try (Connection su = estate.superuser(coordinator, coordinator, "app"); Statement st = su.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM idcguard.twophase_decision")) {
                rs.next();
                decisions = rs.getLong(1);
            }
            assertTrue(decisions > 0, "the transactions across shards were committed in two phases");
            Waits.until(Duration.ofSeconds(30), "no part is left prepared on the DR city's shard primaries", () -> {
                for (GroupView g : estate.detail("Cut").groups()) {
                    NodeView p = ClusterHealth.primary(g).orElseThrow();
                    try (Connection su = estate.superuser(p, p); Statement st = su.createStatement();
                         ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_prepared_xacts")) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            return false;
                        }
                    } catch (Exception e) {
                        return false;
                    }
                }
                return true;
            });
            System.out.printf("consistent promotion at %s: %d cross-shard transactions acknowledged, %d present, none torn, "
                    + "%d decisions on the DR coordinator%n", point, acked.get(), present(estate.detail("Cut").uris().jdbc()), decisions);
        }
    }

    /** Transactions of 4 rows spread by hash over both shards, committed one after another through the coordinator. */
    private static void writeAcrossShards(String jdbc, AtomicBoolean writing, AtomicLong acked) {
        long txn = 0;
        while (writing.get()) {
            try (Connection db = DriverManager.getConnection(jdbc)) {
                db.setAutoCommit(false);
                try (PreparedStatement st = db.prepareStatement("INSERT INTO xfer (id, txn) VALUES (?, ?)")) {
                    while (writing.get()) {
                        txn++;
                        for (int r = 0; r < ROWS_PER_TRANSACTION; r++) {
                            st.setLong(1, txn * ROWS_PER_TRANSACTION + r);
                            st.setLong(2, txn);
                            st.addBatch();
                        }
                        st.executeBatch();
                        db.commit();
                        acked.incrementAndGet();
                    }
                }
            } catch (SQLException lostCity) {
                sleep(100); // the main city went dark: write again once a primary answers
            }
        }
    }

    /** Transactions with some rows and not all of them, or -1 while the coordinator cannot reach every shard. */
    private static long torn(String jdbc) {
        try (Connection db = DriverManager.getConnection(jdbc); Statement st = db.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT count(*) FROM (SELECT txn FROM xfer WHERE txn > 0 GROUP BY txn HAVING count(*) <> "
                    + ROWS_PER_TRANSACTION + ") t");
            rs.next();
            return rs.getLong(1);
        } catch (SQLException notYet) {
            return -1;
        }
    }

    private static long present(String jdbc) throws SQLException {
        try (Connection db = DriverManager.getConnection(jdbc); Statement st = db.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT count(DISTINCT txn) FROM xfer WHERE txn > 0");
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Long> drApplyDelays(LocalEstate estate, ClusterDetail d) {
        return onDrStandbys(d, "SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'").stream()
                .map(v -> v == null ? -1L : Long.parseLong(v)).toList();
    }

    /** One answer of each DR standby to a query, null for one that does not answer. */
    private static List<String> onDrStandbys(ClusterDetail d, String query) {
        List<String> answers = new ArrayList<>();
        for (GroupView g : d.groups()) {
            NodeView n = drNode(d, g.name());
            try (Connection db = DriverManager.getConnection("jdbc:postgresql://" + n.address() + ":" + n.port() + "/postgres"
                    + d.uris().jdbc().substring(d.uris().jdbc().indexOf('?')).replace("targetServerType=primary", "targetServerType=any"));
                 Statement st = db.createStatement()) {
                ResultSet rs = st.executeQuery(query);
                rs.next();
                answers.add(rs.getString(1));
            } catch (SQLException e) {
                answers.add(null);
            }
        }
        return answers;
    }

    private static NodeView drNode(ClusterDetail d, String group) {
        return d.groups().stream().filter(g -> g.name().equals(group)).findFirst().orElseThrow().nodes().stream()
                .filter(n -> n.idc().equals("IDC3")).findFirst().orElseThrow();
    }

    private static JsonNode findMove(JsonNode plan, String group) {
        for (JsonNode m : plan.get("groups")) {
            if (m.get("group").asText().equals(group)) {
                return m;
            }
        }
        throw new AssertionError("no move for " + group + " in " + plan);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
