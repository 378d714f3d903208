package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterAccess;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.drill.TransferWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * Jepsen's bank on real PostgreSQL ({@link TransferWorkload}): accounts on both shards, writers moving money between
 * accounts on different shards through the coordinator, each transfer also writing one ledger leg per account (on
 * that account's shard). One round per fault, all while the writers run: the coordinator's primary SIGKILLed inside a
 * stall of one shard's standbys (SIGSTOP, so that shard's part of every commit waits there: the moment a one-phase
 * commit across shards is torn), a shard's primary SIGKILLed alone, the primary IDC powered off (and its computers
 * back), the primary IDC frozen and thawed. After the rounds: every acknowledged transfer has both legs, no transfer
 * has one leg only, the total is unchanged, and no prepared part is left on any shard (the manager's in-doubt
 * resolver ended them).
 *
 * <p>With {@code IDCGUARD_TEST_TWO_PHASE=off} in the environment the coordinator's two-phase commit is turned off and
 * the test shows what it prevents (it fails, with the torn count).
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class CrossShardBankTest {
    private LocalEstate estate;
    private String jdbc;
    private final boolean twoPhase = !"off".equals(System.getenv("IDCGUARD_TEST_TWO_PHASE"));

    @org.junit.jupiter.api.BeforeAll
    void createBank() throws Exception {
        estate = HaEstates.start(43, Map.of());
        JsonNode task = estate.createCluster("{\"name\":\"Bank\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\","
                + "\"backupIdc\":\"IDC2\",\"shards\":2,\"nodesPerIdc\":2}");
        assertEquals("succeeded", task.get("status").asText(), task.toString());
        HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(90));
        jdbc = estate.api().post("/api/clusters/Bank/reveal", "{}").json().get("jdbc").asText();
        if (!twoPhase) {
            // a database setting is replicated, so the coordinator's standbys have it too when they take over
            NodeView coordinator = ClusterHealth.primary(group(estate.detail("Bank"), "coordinator")).orElseThrow();
            try (Connection c = estate.superuser(coordinator, coordinator); Statement st = c.createStatement()) {
                st.execute("ALTER DATABASE app SET idcguard.two_phase_commit = off");
            }
        }
    }

    @org.junit.jupiter.api.AfterAll
    void closeEstate() {
        if (estate != null) {
            estate.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void transfersAcrossShardsStayWholeThroughEveryFault() throws Exception {
        TransferWorkload bank = new TransferWorkload(jdbc);
        bank.prepare();
        bank.start(4);
        List<String> faults = new ArrayList<>();
        TransferWorkload.Report report;
        try {
            faults.add(coordinatorKilledInAStall("shard1"));
            faults.add(coordinatorKilledInAStall("shard2"));
            faults.add(shardPrimaryKilled("shard2"));
            faults.add(primaryIdcPoweredOff());
            faults.add(primaryIdcFrozen());
            Thread.sleep(2000);
        } finally {
            report = bank.stop();
        }
        awaitNoPreparedPart("after the rounds");
        System.out.println("CrossShardBankTest: two-phase " + (twoPhase ? "on" : "off") + ", faults " + faults + ": " + report.line()
                + ", torn " + report.torn() + ", lost " + report.lost() + ", resolved: "
                + estate.events("twophase.resolved").stream().map(e -> e.get("message").asText()).toList());
        assertTrue(report.acknowledged() > 100, "the writers got through: " + report.line());
        assertWhole(report);
    }

    /** The coordinator's primary SIGKILLed while one shard's standbys are stopped, so commits wait on that shard. */
    private String coordinatorKilledInAStall(String stalled) throws Exception {
        Thread.sleep(2000);
        ClusterDetail now = estate.detail("Bank");
        NodeView coordinator = ClusterHealth.primary(group(now, "coordinator")).orElseThrow();
        List<ProcessHandle> standbys = group(now, stalled).nodes().stream().filter(n -> !n.role().equals("primary"))
                .flatMap(n -> PrimaryFailureTest.processTree(n.pid()).stream()).toList();
        PrimaryFailureTest.signal("-STOP", standbys);
        try {
            Thread.sleep(400); // commits pile up waiting on the stalled shard's standbys
            PrimaryFailureTest.processTree(coordinator.pid()).forEach(ProcessHandle::destroyForcibly);
            Thread.sleep(600);
        } finally {
            PrimaryFailureTest.signal("-CONT", standbys);
        }
        awaitNewPrimary("coordinator", coordinator.name());
        HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(120));
        return "coordinator's primary SIGKILLed in a stall of " + stalled;
    }

    private String shardPrimaryKilled(String shard) throws Exception {
        Thread.sleep(2000);
        NodeView primary = ClusterHealth.primary(group(estate.detail("Bank"), shard)).orElseThrow();
        PrimaryFailureTest.processTree(primary.pid()).forEach(ProcessHandle::destroyForcibly);
        awaitNewPrimary(shard, primary.name());
        HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(120));
        return shard + "'s primary SIGKILLed";
    }

    private String primaryIdcPoweredOff() throws Exception {
        Thread.sleep(2000);
        String idc = estate.detail("Bank").summary().primaryIdc();
        ClusterAccess access = estate.access();
        new IdcFault(IdcFault.Kind.POWER_OFF, access.computersOf(idc)).apply();
        Waits.until(Duration.ofSeconds(60), "the cluster runs in the other IDC", () -> !estate.detail("Bank").summary().primaryIdc().equals(idc));
        access.computersOf(idc).forEach(access::restartNodeAgent);
        HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(180));
        return "primary IDC " + idc + " powered off";
    }

    private String primaryIdcFrozen() throws Exception {
        Thread.sleep(2000);
        String idc = estate.detail("Bank").summary().primaryIdc();
        IdcFault freeze = new IdcFault(IdcFault.Kind.FREEZE, estate.access().computersOf(idc));
        freeze.apply();
        try {
            Waits.until(Duration.ofSeconds(60), "the cluster runs in the other IDC", () -> !estate.detail("Bank").summary().primaryIdc().equals(idc));
        } finally {
            freeze.restore();
        }
        HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(180));
        return "primary IDC " + idc + " frozen and thawed";
    }

    /**
     * The coordinator's primary SIGKILLed at each point of the protocol (the backend told to wait there): after the
     * first shard's prepare, after every prepare (decision not yet committed), after the decision (no part committed
     * yet), and between the shards' commits. Each ends consistently once the manager has resolved the parts: wholly
     * absent before the decision, wholly present after it, and no prepared part left.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    @org.junit.jupiter.api.Tag("long")
    void aCoordinatorKilledAtEachPointOfTheProtocolEndsEachTransactionWhole() throws Exception {
        TransferWorkload bank = twoPhaseBank();
        Map<String, Boolean> points = new java.util.LinkedHashMap<>();
        points.put("after_first_prepare", false);
        points.put("after_prepare", false);
        points.put("after_decision", true);
        points.put("between_commits", true);
        int[] accounts = bank.accountsOnTwoShards();
        long id = 1_000_000;
        for (Map.Entry<String, Boolean> point : points.entrySet()) {
            long transfer = ++id;
            NodeView coordinator = pauseCoordinatorAt(point.getKey());
            Thread committer = transferInBackground(bank, transfer, accounts);
            Thread.sleep(2500); // it waits at the point now
            PrimaryFailureTest.processTree(coordinator.pid()).forEach(ProcessHandle::destroyForcibly);
            committer.join(30_000);
            awaitNewPrimary("coordinator", coordinator.name());
            resumeCoordinator();
            awaitNoPreparedPart("after " + point.getKey());
            int legs = bank.legsOf(transfer);
            System.out.println("CrossShardBankTest: killed " + point.getKey() + ": legs " + legs);
            assertEquals(point.getValue() ? 2 : 0, legs, "killed " + point.getKey());
            assertTrue(bank.check().whole(), "after a kill " + point.getKey() + ": " + bank.check().line());
        }
    }

    /**
     * The manager SIGKILLed in the middle of a resolution: four transfers held after their decision, the coordinator's
     * primary SIGKILLed, the manager (told to pause after the first shard it resolved) killed in that pause, so one
     * shard's parts are committed and the other's still prepared; a new manager ends the rest, and every transfer is
     * whole.
     */
    @Test
    @org.junit.jupiter.api.Order(3)
    @org.junit.jupiter.api.Tag("long")
    void aManagerKilledDuringResolutionLeavesNoTransferTorn() throws Exception {
        TransferWorkload bank = twoPhaseBank();
        estate.killManager();
        estate.startManager(Map.of("IDCGUARD_TEST_PAUSE_AT", "twophase-resolving:120000"));
        long mark = estate.lastEventId();
        NodeView coordinator = pauseCoordinatorAt("after_decision");
        bank.start(4);
        Thread.sleep(2500); // each writer waits after its decision now
        PrimaryFailureTest.processTree(coordinator.pid()).forEach(ProcessHandle::destroyForcibly);
        TransferWorkload.Report report;
        try {
            awaitNewPrimary("coordinator", coordinator.name());
            Waits.until(Duration.ofSeconds(60), "the manager paused between two shards' resolutions",
                    () -> !estate.eventsAfter(mark, "test.paused").isEmpty());
            int left = preparedParts();
            estate.killManager();
            estate.startManager();
            System.out.println("CrossShardBankTest: manager killed during resolution with " + left + " parts still prepared");
            assertTrue(left > 0, "parts were still prepared when the manager was killed");
            resumeCoordinator();
        } finally {
            report = bank.stop();
        }
        awaitNoPreparedPart("after the manager's kill");
        System.out.println("CrossShardBankTest: manager killed during resolution: " + report.line());
        assertWhole(report);
    }

    /**
     * A part held prepared longer than the manager's threshold (here 3 s) while its coordinator transaction is still
     * open is an alert, named with its shard, and the part ends once the transaction goes on.
     */
    @Test
    @org.junit.jupiter.api.Order(4)
    @org.junit.jupiter.api.Tag("long")
    void aPartPreparedTooLongIsAnAlert() throws Exception {
        TransferWorkload bank = twoPhaseBank();
        int[] accounts = bank.accountsOnTwoShards();
        estate.killManager();
        estate.startManager(Map.of("IDCGUARD_TWO_PHASE_ALERT_AFTER", "PT3S"));
        long mark = estate.lastEventId();
        pauseCoordinatorAt("after_prepare");
        try (Connection c = DriverManager.getConnection(jdbc)) {
            c.setAutoCommit(false);
            long started = System.currentTimeMillis();
            bank.transfer(c, 2_000_000, accounts[0], accounts[1], 3); // waits 30 s after its prepares, then commits
            System.out.println("CrossShardBankTest: a transfer held " + (System.currentTimeMillis() - started) + " ms after its prepares");
        } finally {
            resumeCoordinator();
        }
        List<JsonNode> stuck = estate.eventsAfter(mark, "twophase.stuck");
        assertTrue(!stuck.isEmpty(), "a part held 30 s was reported");
        assertTrue(stuck.get(0).get("message").asText().contains("has held its prepared part"), stuck.toString());
        JsonNode alerts = estate.api().get("/api/alerts").json();
        assertTrue(java.util.stream.StreamSupport.stream(alerts.spliterator(), false)
                .anyMatch(a -> a.toString().contains("twophase.stuck")), "the event is an alert: " + alerts);
        assertEquals(2, bank.legsOf(2_000_000), "the held transfer committed whole");
        awaitNoPreparedPart("after the held transfer");
        estate.killManager();
        estate.startManager();
    }

    /**
     * A planned switch of the primary IDC while a transfer holds prepared parts on both shards: before its decision
     * (it ends absent) and after it (it ends whole). The switch completes either way; the manager ends the parts the
     * demoted coordinator left.
     */
    @Test
    @org.junit.jupiter.api.Order(5)
    @org.junit.jupiter.api.Tag("long")
    void aPlannedSwitchWithPreparedPartsOpenEndsEachTransferWhole() throws Exception {
        TransferWorkload bank = twoPhaseBank();
        int[] accounts = bank.accountsOnTwoShards();
        Map<String, Integer> points = new java.util.LinkedHashMap<>();
        points.put("after_prepare", 0);
        points.put("after_decision", 2);
        long id = 3_000_000;
        for (Map.Entry<String, Integer> point : points.entrySet()) {
            long transfer = ++id;
            pauseCoordinatorAt(point.getKey());
            Thread committer = transferInBackground(bank, transfer, accounts);
            Waits.until(Duration.ofSeconds(20), "the transfer holds its prepared parts", () -> {
                try {
                    return preparedParts() >= 2;
                } catch (Exception e) {
                    return false;
                }
            });
            String from = estate.detail("Bank").summary().primaryIdc();
            String to = from.equals("IDC1") ? "IDC2" : "IDC1";
            long started = System.currentTimeMillis();
            estate.access().switchPrimary("Bank", to);
            long took = System.currentTimeMillis() - started;
            committer.join(40_000);
            resumeCoordinator();
            awaitNoPreparedPart("after the switch " + point.getKey());
            int legs = bank.legsOf(transfer);
            System.out.println("CrossShardBankTest: switched " + from + " -> " + to + " in " + took + " ms with parts prepared "
                    + point.getKey() + ": legs " + legs);
            assertEquals(point.getValue(), legs, "switched with parts prepared " + point.getKey());
            assertTrue(bank.check().whole(), bank.check().line());
        }
    }

    /**
     * Every way of writing on two shards goes through two-phase commit (each records one decision): a data-modifying
     * WITH under a SELECT, COPY FROM and TRUNCATE, which the executor's result relations do not all show. The
     * application can neither drop nor write the decision table; without it a commit across shards is refused whole,
     * and the manager puts it back.
     */
    @Test
    @org.junit.jupiter.api.Order(6)
    void everyWayOfWritingOnTwoShardsIsCommittedInTwoPhases() throws Exception {
        TransferWorkload bank = twoPhaseBank();
        HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(120));
        int[] accounts = bank.accountsOnTwoShards();
        try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement()) {
            long before = decisions();
            st.execute("WITH a AS (UPDATE " + TransferWorkload.ACCOUNTS + " SET balance = balance - 1 WHERE id = " + accounts[0]
                    + " RETURNING 1), b AS (UPDATE " + TransferWorkload.ACCOUNTS + " SET balance = balance + 1 WHERE id = " + accounts[1]
                    + " RETURNING 1) SELECT * FROM a, b");
            assertEquals(before + 1, decisions(), "a data-modifying WITH across shards recorded its decision");
            var copy = new org.postgresql.copy.CopyManager(c.unwrap(org.postgresql.core.BaseConnection.class));
            copy.copyIn("COPY " + TransferWorkload.LEGS + " FROM STDIN (FORMAT csv)",
                    new java.io.StringReader("1,9000001," + accounts[0] + ",0\n1,9000001," + accounts[1] + ",0\n"));
            assertEquals(before + 2, decisions(), "COPY FROM across shards recorded its decision");
            st.execute("SELECT idcguard_create_sharded_table('scratch', 'k int NOT NULL', 'k', 2)");
            st.execute("INSERT INTO scratch SELECT g FROM generate_series(1, 20) g");
            long beforeTruncate = decisions();
            st.execute("TRUNCATE scratch");
            assertEquals(beforeTruncate + 1, decisions(), "TRUNCATE of a table on two shards recorded its decision");
            SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                    () -> st.execute("DROP TABLE " + "idcguard.twophase_decision"));
            System.out.println("CrossShardBankTest: the application dropping the decision table: " + refused.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                    () -> st.execute("INSERT INTO idcguard.twophase_decision VALUES ('idcg_1_00000000')"));
        }
        NodeView coordinator = ClusterHealth.primary(group(estate.detail("Bank"), "coordinator")).orElseThrow();
        estate.killManager(); // its resolver would put the table back within a second: the transfer must meet the gap
        try {
            try (Connection su = estate.superuser(coordinator, coordinator, "app"); Statement st = su.createStatement()) {
                st.execute("DROP TABLE idcguard.twophase_decision");
            }
            try (Connection c = DriverManager.getConnection(jdbc)) {
                c.setAutoCommit(false);
                SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                        () -> bank.transfer(c, 9_000_002, accounts[0], accounts[1], 1));
                System.out.println("CrossShardBankTest: a transfer without the decision table: " + refused.getMessage());
                assertTrue(refused.getMessage().contains("missing"), refused.getMessage());
            }
            assertEquals(0, bank.legsOf(9_000_002), "nothing of the refused transfer was committed");
        } finally {
            estate.startManager();
        }
        Waits.until(Duration.ofSeconds(30), "the manager put the decision table back", () -> {
            try {
                decisions();
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        try (Connection c = DriverManager.getConnection(jdbc)) {
            c.setAutoCommit(false);
            bank.transfer(c, 9_000_003, accounts[0], accounts[1], 1);
        }
        assertEquals(2, bank.legsOf(9_000_003));
    }

    private long decisions() throws Exception {
        NodeView coordinator = ClusterHealth.primary(group(estate.detail("Bank"), "coordinator")).orElseThrow();
        try (Connection su = estate.superuser(coordinator, coordinator, "app"); Statement st = su.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM idcguard.twophase_decision")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The bank for a test of the two-phase protocol itself (skipped when the run turned it off). */
    private TransferWorkload twoPhaseBank() throws SQLException {
        org.junit.jupiter.api.Assumptions.assumeTrue(twoPhase, "two-phase commit is off");
        TransferWorkload bank = new TransferWorkload(jdbc);
        bank.prepare();
        return bank;
    }

    /** No transfer on one shard only, every acknowledged one wholly present, the total unchanged. */
    private static void assertWhole(TransferWorkload.Report report) {
        assertEquals(0, report.tornCount(), "transfers present on one shard only: " + report.torn());
        assertEquals(0, report.lostCount(), "acknowledged transfers not wholly present: " + report.lost());
        assertEquals(report.expectedTotal(), report.total(), "the total is unchanged");
    }

    /** One transfer between the two accounts, committed on a thread of its own (it may fail: a fault comes under it). */
    private Thread transferInBackground(TransferWorkload bank, long transfer, int[] accounts) {
        Thread committer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection(jdbc)) {
                c.setAutoCommit(false);
                bank.transfer(c, transfer, accounts[0], accounts[1], 5);
            } catch (SQLException e) {
                // its coordinator is killed or demoted under it: the outcome is read from the shards afterwards
            }
        }, "transfer-" + transfer);
        committer.start();
        return committer;
    }

    /** Tells the coordinator's backends to wait at a point of the protocol; returns the coordinator's primary. */
    private NodeView pauseCoordinatorAt(String point) throws Exception {
        HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(120));
        NodeView coordinator = ClusterHealth.primary(group(estate.detail("Bank"), "coordinator")).orElseThrow();
        try (Connection su = estate.superuser(coordinator, coordinator); Statement st = su.createStatement()) {
            st.execute("ALTER DATABASE app SET idcguard.two_phase_pause = '" + point + "'");
            st.execute("ALTER DATABASE app SET idcguard.two_phase_pause_ms = 30000");
        }
        return coordinator;
    }

    private void resumeCoordinator() throws Exception {
        NodeView successor = ClusterHealth.primary(group(estate.detail("Bank"), "coordinator")).orElseThrow();
        try (Connection su = estate.superuser(successor, successor); Statement st = su.createStatement()) {
            st.execute("ALTER DATABASE app RESET idcguard.two_phase_pause");
            st.execute("ALTER DATABASE app RESET idcguard.two_phase_pause_ms");
        }
    }

    private void awaitNewPrimary(String group, String old) {
        Waits.until(Duration.ofSeconds(60), group + " has a new primary", () ->
                ClusterHealth.primary(group(estate.detail("Bank"), group)).map(p -> !p.name().equals(old)).orElse(false));
    }

    private void awaitNoPreparedPart(String when) {
        Waits.until(Duration.ofSeconds(60), "no prepared part is left on any shard " + when, () -> {
            try {
                return preparedParts() == 0;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Prepared parts of cross-shard transactions left on the shards' primaries, through the coordinator's servers. */
    private int preparedParts() throws Exception {
        int count = 0;
        for (GroupView g : estate.detail("Bank").groups()) {
            if (g.name().equals("coordinator")) {
                continue;
            }
            NodeView p = ClusterHealth.primary(g).orElse(null);
            if (p == null) {
                return -1;
            }
            try (Connection c = estate.superuser(p, p); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_prepared_xacts")) {
                rs.next();
                count += rs.getInt(1);
            }
        }
        return count;
    }

    private static GroupView group(ClusterDetail d, String name) {
        return d.groups().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }
}
