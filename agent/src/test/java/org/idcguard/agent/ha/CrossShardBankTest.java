package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * Jepsen's bank on real PostgreSQL: accounts on both shards, writers moving money between accounts on different shards
 * through the coordinator, each transfer also writing one ledger leg per account (on that account's shard). Each round
 * stalls one shard's standbys (SIGSTOP, so that shard's part of every commit waits there; shard1, then shard2, then
 * shard1 again, so the stall meets whichever shard postgres_fdw commits first) and SIGKILLs the coordinator's primary
 * inside the stall: the moment a one-phase commit across shards is torn. After the takeovers: every
 * acknowledged transfer has both legs, no transfer has one leg only, the total is unchanged, and no prepared part is
 * left on any shard (the manager's in-doubt resolver ended them).
 *
 * <p>With {@code IDCGUARD_TEST_TWO_PHASE=off} in the environment the coordinator's two-phase commit is turned off and
 * the test shows what it prevents (it fails, with the torn count).
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class CrossShardBankTest {
    private static final int ACCOUNTS = 40;
    private static final long START_BALANCE = 1_000;
    private static final int ROUNDS = 3;

    private LocalEstate estate;
    private String jdbc;
    private Map<Integer, String> shardOf;
    private final boolean twoPhase = !"off".equals(System.getenv("IDCGUARD_TEST_TWO_PHASE"));

    @org.junit.jupiter.api.BeforeAll
    void createBank() throws Exception {
        estate = HaEstates.start(43, Map.of());
        JsonNode task = estate.createCluster("{\"name\":\"Bank\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\","
                + "\"backupIdc\":\"IDC2\",\"shards\":2,\"nodesPerIdc\":2}");
        assertEquals("succeeded", task.get("status").asText(), task.toString());
        HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(90));
        jdbc = estate.api().post("/api/clusters/Bank/reveal", "{}").json().get("jdbc").asText();
        shardOf = createAccounts(estate, estate.detail("Bank"), jdbc, twoPhase);
    }

    @org.junit.jupiter.api.AfterAll
    void closeEstate() {
        if (estate != null) {
            estate.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void transfersAcrossShardsAreNeverTornByALostCoordinator() throws Exception {
        {

            Bank bank = new Bank(jdbc, shardOf);
            bank.start(4);
            try {
                for (int round = 1; round <= ROUNDS; round++) {
                    Thread.sleep(2000);
                    ClusterDetail now = estate.detail("Bank");
                    NodeView coordinator = ClusterHealth.primary(group(now, "coordinator")).orElseThrow();
                    String stalled = round % 2 == 1 ? "shard1" : "shard2";
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
                    Waits.until(Duration.ofSeconds(60), "the coordinator has a new primary (round " + round + ")", () ->
                            ClusterHealth.primary(group(estate.detail("Bank"), "coordinator"))
                                    .map(p -> !p.name().equals(coordinator.name())).orElse(false));
                    HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(120));
                }
                Thread.sleep(2000);
            } finally {
                bank.stop();
            }
            Waits.until(Duration.ofSeconds(30), "no prepared part is left on any shard",
                    () -> {
                        try {
                            return preparedParts(estate, jdbc) == 0;
                        } catch (Exception e) {
                            return false;
                        }
                    });

            Map<Long, List<Long>> legs = legs(jdbc);
            List<Long> torn = legs.entrySet().stream().filter(e -> e.getValue().size() != 2).map(Map.Entry::getKey).toList();
            List<Long> lost = bank.acknowledged.stream().filter(id -> legs.getOrDefault(id, List.of()).size() != 2).toList();
            long total = total(jdbc);
            System.out.println("CrossShardBankTest: two-phase " + (twoPhase ? "on" : "off") + ", " + bank.acknowledged.size()
                    + " transfers acknowledged, " + bank.failed.get() + " failed, " + legs.size() + " present, torn "
                    + torn.size() + ", acknowledged but not whole " + lost.size() + ", total " + total + " (start "
                    + ACCOUNTS * START_BALANCE + "), torn legs " + torn.stream().map(id -> id + "=" + legs.get(id)).toList()
                    + ", resolved: " + estate.events("twophase.resolved").stream()
                    .map(e -> e.get("message").asText()).toList());
            assertTrue(bank.acknowledged.size() > 100, "the writers got through: " + bank.acknowledged.size());
            assertEquals(List.of(), torn, "transfers present on one shard only");
            assertEquals(List.of(), lost, "acknowledged transfers not wholly present");
            assertEquals(ACCOUNTS * START_BALANCE, total, "the total is unchanged");
        }
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
        org.junit.jupiter.api.Assumptions.assumeTrue(twoPhase, "two-phase commit is off");
        Map<String, Boolean> points = new java.util.LinkedHashMap<>();
        points.put("after_first_prepare", false);
        points.put("after_prepare", false);
        points.put("after_decision", true);
        points.put("between_commits", true);
        String first = shardOf.values().stream().sorted().findFirst().orElseThrow();
        int from = shardOf.entrySet().stream().filter(e -> e.getValue().equals(first)).findFirst().orElseThrow().getKey();
        int to = shardOf.entrySet().stream().filter(e -> !e.getValue().equals(first)).findFirst().orElseThrow().getKey();
        long id = 1_000_000;
        for (Map.Entry<String, Boolean> point : points.entrySet()) {
            id++;
            HaEstates.awaitFullProtection(estate, "Bank", Duration.ofSeconds(120));
            NodeView coordinator = ClusterHealth.primary(group(estate.detail("Bank"), "coordinator")).orElseThrow();
            try (Connection su = estate.superuser(coordinator, coordinator); Statement st = su.createStatement()) {
                st.execute("ALTER DATABASE app SET idcguard.two_phase_pause = '" + point.getKey() + "'");
                st.execute("ALTER DATABASE app SET idcguard.two_phase_pause_ms = 30000");
            }
            long transfer = id;
            Thread committer = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(jdbc)) {
                    c.setAutoCommit(false);
                    Bank.move(c, transfer, from, -7);
                    Bank.move(c, transfer, to, 7);
                    c.commit();
                } catch (SQLException e) {
                    // the coordinator is killed under it
                }
            });
            committer.start();
            Thread.sleep(2500); // it waits at the point now
            PrimaryFailureTest.processTree(coordinator.pid()).forEach(ProcessHandle::destroyForcibly);
            committer.join(30_000);
            Waits.until(Duration.ofSeconds(60), "the coordinator has a new primary", () ->
                    ClusterHealth.primary(group(estate.detail("Bank"), "coordinator"))
                            .map(p -> !p.name().equals(coordinator.name())).orElse(false));
            NodeView successor = ClusterHealth.primary(group(estate.detail("Bank"), "coordinator")).orElseThrow();
            try (Connection su = estate.superuser(successor, successor); Statement st = su.createStatement()) {
                st.execute("ALTER DATABASE app RESET idcguard.two_phase_pause");
                st.execute("ALTER DATABASE app RESET idcguard.two_phase_pause_ms");
            }
            Waits.until(Duration.ofSeconds(30), "no prepared part is left after " + point.getKey(), () -> {
                try {
                    return preparedParts(estate, jdbc) == 0;
                } catch (Exception e) {
                    return false;
                }
            });
            List<Long> present = legs(jdbc).getOrDefault(transfer, List.of());
            System.out.println("CrossShardBankTest: killed " + point.getKey() + ": legs " + present);
            assertEquals(point.getValue() ? 2 : 0, present.size(), "killed " + point.getKey() + ": " + present);
            assertEquals(ACCOUNTS * START_BALANCE, total(jdbc), "the total after a kill " + point.getKey());
        }
    }

    /** Accounts 1..N sharded by id, one ledger of legs sharded by account; returns each account's shard (partition). */
    private static Map<Integer, String> createAccounts(LocalEstate estate, ClusterDetail detail, String jdbc, boolean twoPhase)
            throws Exception {
        Map<Integer, String> shardOf = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement()) {
            st.execute("SELECT idcguard_create_sharded_table('accounts', 'id int NOT NULL, balance bigint NOT NULL', 'id', 2, 'id')");
            st.execute("SELECT idcguard_create_sharded_table('legs', 'transfer bigint NOT NULL, account int NOT NULL, "
                    + "amount bigint NOT NULL', 'account', 2, 'transfer, account')");
            st.execute("INSERT INTO accounts SELECT g, " + START_BALANCE + " FROM generate_series(1, " + ACCOUNTS + ") g");
            try (ResultSet rs = st.executeQuery("SELECT id, tableoid::regclass::text FROM accounts")) {
                while (rs.next()) {
                    shardOf.put(rs.getInt(1), rs.getString(2));
                }
            }
            assertEquals(2, Set.copyOf(shardOf.values()).size(), "accounts on both shards");
        }
        if (!twoPhase) {
            // a database setting is replicated, so the coordinator's standbys have it too when they take over
            NodeView coordinator = ClusterHealth.primary(group(detail, "coordinator")).orElseThrow();
            try (Connection c = estate.superuser(coordinator, coordinator); Statement st = c.createStatement()) {
                st.execute("ALTER DATABASE app SET idcguard.two_phase_commit = off");
            }
        }
        return shardOf;
    }

    /** Writers moving money between accounts on different shards; each acknowledged transfer id is kept. */
    private static final class Bank {
        final String jdbc;
        final List<Integer> left = new ArrayList<>();
        final List<Integer> right = new ArrayList<>();
        final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong ids = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();

        Bank(String jdbc, Map<Integer, String> shardOf) {
            this.jdbc = jdbc;
            String first = shardOf.values().stream().sorted().findFirst().orElseThrow();
            shardOf.forEach((id, part) -> (part.equals(first) ? left : right).add(id));
        }

        void start(int writers) {
            for (int i = 0; i < writers; i++) {
                Thread t = new Thread(this::transfer, "bank-" + i);
                t.start();
                threads.add(t);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }

        private void transfer() {
            Connection c = null;
            while (running.get()) {
                long id = ids.incrementAndGet();
                try {
                    if (c == null || c.isClosed()) {
                        c = DriverManager.getConnection(jdbc + (jdbc.contains("?") ? "&" : "?") + "socketTimeout=10&connectTimeout=3");
                        c.setAutoCommit(false);
                    }
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    int from = left.get(r.nextInt(left.size()));
                    int to = right.get(r.nextInt(right.size()));
                    if (r.nextBoolean()) {
                        int swap = from;
                        from = to;
                        to = swap;
                    }
                    long amount = 1 + r.nextInt(20);
                    move(c, id, from, -amount);
                    move(c, id, to, amount);
                    c.commit();
                    acknowledged.add(id);
                } catch (SQLException e) {
                    failed.incrementAndGet();
                    try {
                        if (c != null) {
                            c.close();
                        }
                    } catch (SQLException ignored) {
                        // the connection is gone with the coordinator
                    }
                    c = null;
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // closing at the end
            }
        }

        static void move(Connection c, long id, int account, long amount) throws SQLException {
            try (PreparedStatement st = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
                st.setLong(1, amount);
                st.setInt(2, account);
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("INSERT INTO legs VALUES (?, ?, ?)")) {
                st.setLong(1, id);
                st.setInt(2, account);
                st.setLong(3, amount);
                st.executeUpdate();
            }
        }
    }

    private static Map<Long, List<Long>> legs(String jdbc) throws SQLException {
        Map<Long, List<Long>> legs = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT transfer, amount FROM legs")) {
            while (rs.next()) {
                legs.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getLong(2));
            }
        }
        return legs;
    }

    private static long total(String jdbc) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT sum(balance) FROM accounts")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Prepared parts of cross-shard transactions left on the shards' primaries, through the coordinator's servers. */
    private static int preparedParts(LocalEstate estate, String jdbc) throws Exception {
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
