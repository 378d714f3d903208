package org.idcguard.agent.drill;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Jepsen's bank through the coordinator: accounts spread over every shard, writers moving money between two accounts
 * on different shards in one transaction, each transfer also writing one ledger leg per account (on that account's
 * shard). Afterwards every transfer is checked whole: a transfer with one leg is torn (committed on one shard only),
 * an acknowledged transfer without both legs is lost, and the sum of the balances never changes.
 *
 * <p>A commit that returns a warning (a shard's or the coordinator's wait for a synchronous standby was cancelled) is
 * not counted as acknowledged, as the probe does not count one.
 */
public final class TransferWorkload {
    public static final String ACCOUNTS = "idcguard_bank_accounts";
    public static final String LEGS = "idcguard_bank_legs";
    static final int ACCOUNT_COUNT = 40;
    static final long START_BALANCE = 1_000;
    private final String url;
    private final String checkUrl;
    private final Properties props = new Properties();
    private final long run = System.currentTimeMillis();
    private final List<Integer> left = new ArrayList<>();
    private final List<Integer> right = new ArrayList<>();
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * What the check found.
     *
     * @param torn  transfers with one leg only (listed, at most 20)
     * @param lost  acknowledged transfers without both legs (listed, at most 20)
     */
    public record Report(long acknowledged, long failed, long present, List<Long> torn, long tornCount, List<Long> lost,
                         long lostCount, long total, long expectedTotal) {
        public boolean whole() {
            return tornCount == 0 && lostCount == 0 && total == expectedTotal;
        }

        public String line() {
            return "transfers acked=" + acknowledged + " failed=" + failed + " present=" + present + " torn=" + tornCount
                    + " lost=" + lostCount + " total=" + total + " (expected " + expectedTotal + ")";
        }
    }

    public TransferWorkload(String jdbcUrl) {
        this.url = jdbcUrl;
        this.checkUrl = jdbcUrl.replaceAll("([?&])socketTimeout=\\d+", "$1socketTimeout=60");
        props.setProperty("ApplicationName", "idcguard-transfer-workload");
    }

    /** Whether transfers across shards can be made: the cluster has two shards or more. */
    public static boolean possible(int shards) {
        return shards >= 2;
    }

    /**
     * Creates the accounts (one partition per shard) and the ledger unless they exist, and reads which accounts live
     * on which partition, so each transfer is made between two shards.
     */
    public void prepare() throws SQLException {
        try (Connection c = DriverManager.getConnection(checkUrl, props); Statement st = c.createStatement()) {
            ResultSet exists = st.executeQuery("SELECT to_regclass('" + ACCOUNTS + "') IS NOT NULL");
            exists.next();
            if (!exists.getBoolean(1)) {
                st.execute("SELECT idcguard_create_sharded_table('" + ACCOUNTS + "', 'id int NOT NULL, balance bigint NOT NULL', 'id', 0, 'id')");
                st.execute("SELECT idcguard_create_sharded_table('" + LEGS + "', 'run bigint NOT NULL, transfer bigint NOT NULL, "
                        + "account int NOT NULL, amount bigint NOT NULL', 'account', 0, 'run, transfer, account')");
                st.execute("INSERT INTO " + ACCOUNTS + " SELECT g, " + START_BALANCE + " FROM generate_series(1, " + ACCOUNT_COUNT + ") g");
            }
            Map<String, List<Integer>> byPartition = new java.util.TreeMap<>();
            try (ResultSet rs = st.executeQuery("SELECT id, tableoid::regclass::text FROM " + ACCOUNTS)) {
                while (rs.next()) {
                    byPartition.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getInt(1));
                }
            }
            if (byPartition.size() < 2) {
                throw new SQLException("The accounts lie on " + byPartition.size() + " shard: transfers across shards need two.");
            }
            // one side is the first partition's accounts, the other every other partition's: each pair spans two shards
            List<List<Integer>> parts = new ArrayList<>(byPartition.values());
            left.addAll(parts.get(0));
            parts.subList(1, parts.size()).forEach(right::addAll);
        }
    }

    /** An account on the first shard and one on another, for a test that moves money by hand. */
    public int[] accountsOnTwoShards() {
        return new int[] {left.get(0), right.get(0)};
    }

    public void start(int writers) {
        running.set(true);
        for (int i = 0; i < writers; i++) {
            Thread t = new Thread(this::loop, "transfer-workload-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    public int acknowledgedCount() {
        return acknowledged.size();
    }

    /** Stops the writers and checks every transfer of this run. */
    public Report stop() throws SQLException {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return check();
    }

    /** Every transfer of this run present whole or absent whole, every acknowledged one whole, the total unchanged. */
    public Report check() throws SQLException {
        SQLException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Connection c = DriverManager.getConnection(checkUrl, props)) {
                Map<Long, Integer> legs = new HashMap<>();
                try (PreparedStatement st = c.prepareStatement("SELECT transfer, count(*) FROM " + LEGS + " WHERE run = ? GROUP BY 1")) {
                    st.setLong(1, run);
                    ResultSet rs = st.executeQuery();
                    while (rs.next()) {
                        legs.put(rs.getLong(1), rs.getInt(2));
                    }
                }
                long total;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT sum(balance), count(*) FROM " + ACCOUNTS)) {
                    rs.next();
                    total = rs.getLong(1);
                }
                List<Long> torn = legs.entrySet().stream().filter(e -> e.getValue() != 2).map(Map.Entry::getKey).sorted().toList();
                List<Long> lost = acknowledged.stream().filter(id -> legs.getOrDefault(id, 0) != 2).sorted().toList();
                return new Report(acknowledged.size(), failed.get(), legs.size(), torn.subList(0, Math.min(20, torn.size())), torn.size(),
                        lost.subList(0, Math.min(20, lost.size())), lost.size(), total, ACCOUNT_COUNT * START_BALANCE);
            } catch (SQLException e) {
                last = e; // the coordinator busy or failing over: ask again
                Quietly.pause(500);
            }
        }
        throw last;
    }

    /** The legs of one transfer of this run present now (0, 1 or 2). */
    public int legsOf(long transfer) throws SQLException {
        try (Connection c = DriverManager.getConnection(checkUrl, props);
             PreparedStatement st = c.prepareStatement("SELECT count(*) FROM " + LEGS + " WHERE run = ? AND transfer = ?")) {
            st.setLong(1, run);
            st.setLong(2, transfer);
            ResultSet rs = st.executeQuery();
            rs.next();
            return rs.getInt(1);
        }
    }

    private void loop() {
        Connection c = null;
        while (running.get()) {
            long id = ids.incrementAndGet();
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url, props);
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
                transfer(c, id, from, to, 1 + r.nextInt(20));
                acknowledged.add(id);
            } catch (SQLException e) {
                failed.incrementAndGet();
                Quietly.close(c);
                c = null;
                Quietly.pause(100);
            }
        }
        Quietly.close(c);
    }

    /**
     * Moves the amount in one transaction on a connection that does not autocommit; a commit that comes back with a
     * warning is an error here. The accounts are locked in the order of their ids: two transfers locking them in
     * opposite orders on two shards would wait on each other where no shard's deadlock detector sees both.
     */
    public void transfer(Connection c, long id, int from, int to, long amount) throws SQLException {
        if (from < to) {
            move(c, id, from, -amount);
            move(c, id, to, amount);
        } else {
            move(c, id, to, amount);
            move(c, id, from, -amount);
        }
        c.clearWarnings();
        c.commit();
        if (c.getWarnings() != null) {
            throw new SQLException("The commit of transfer " + id + " returned a warning (" + c.getWarnings().getMessage()
                    + "): not counted as acknowledged.");
        }
    }

    private void move(Connection c, long id, int account, long amount) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE " + ACCOUNTS + " SET balance = balance + ? WHERE id = ?")) {
            st.setLong(1, amount);
            st.setInt(2, account);
            st.executeUpdate();
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO " + LEGS + " VALUES (?, ?, ?, ?)")) {
            st.setLong(1, run);
            st.setLong(2, id);
            st.setInt(3, account);
            st.setLong(4, amount);
            st.executeUpdate();
        }
    }


}
