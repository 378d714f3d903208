package org.idcguard.agent.manager;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The manager's embedded H2 database, migrated by Flyway on open. Commits are written at once
 * (WRITE_DELAY=0) so that a manager killed with SIGKILL loses nothing it acknowledged.
 */
public final class MetadataStore implements AutoCloseable, Transactions {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MetadataStore.class);
    /** A transaction this slow holds up the HA actions queued behind it; it is logged with where it came from. */
    private static final long SLOW_NANOS = 200_000_000L;
    private final HikariDataSource pool;
    /** Held from a transaction's first write to its commit when writes are replicated, so the log has commit order. */
    private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock(true);
    private final java.util.Set<String> identityTables;
    /** What the managers' log may carry, checked when the leader records a write and when a manager applies one. */
    private final org.idcguard.agent.manager.journal.StatementShape shape;
    /** Null for a single manager; the managers' log otherwise, from the moment this manager leads. */
    private volatile org.idcguard.agent.manager.journal.Journal journal;
    /** True on a manager of a quorum that does not lead: it may not write its copy except by applying the log. */
    private volatile boolean replicaOnly;

    private MetadataStore(HikariDataSource pool) {
        this.pool = pool;
        this.identityTables = readIdentityTables();
        this.shape = new org.idcguard.agent.manager.journal.StatementShape(readLoggedTables());
    }

    public static MetadataStore open(Path dir) {
        return open("jdbc:h2:file:" + dir.resolve("metadata").toAbsolutePath() + ";WRITE_DELAY=0", 32);
    }

    /** A store that lives in this process only, for the deterministic simulation of the engine. */
    public static MetadataStore inMemory(String name) {
        return open("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", 4);
    }

    private static MetadataStore open(String url, int connections) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("idcguard");
        config.setPassword("");
        config.setPoolName("metadata");
        // Every group of a 16-shard cluster fails over at once, each with its own short transactions. The connections
        // are made up front and handed over without a global lock: H2's own pool opened them one at a time under its
        // lock, and HA actions queued for up to a second behind it during a 16-shard takeover.
        config.setMaximumPoolSize(connections);
        config.setMinimumIdle(connections);
        config.setConnectionTimeout(30_000);
        HikariDataSource pool = new HikariDataSource(config);
        Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        return new MetadataStore(pool);
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /**
     * Makes this store part of a quorum's copy: until {@link #lead} it refuses every write but the log's. Called once,
     * before anything writes.
     */
    public void followQuorum() {
        replicaOnly = true;
    }

    /** From now on every write transaction is appended to the journal before it commits here. */
    public void lead(org.idcguard.agent.manager.journal.Journal journal) {
        this.journal = journal;
        this.replicaOnly = false;
        restartIdentities();
    }

    /** Runs work in one transaction: committed when it returns, rolled back when it throws. */
    @Override
    public <T> T inTransaction(SqlWork<T> work) {
        org.idcguard.agent.manager.journal.Journal journal = this.journal;
        if (journal != null || replicaOnly) {
            return inReplicatedTransaction(work, journal);
        }
        long asked = System.nanoTime();
        try (Connection c = connection()) {
            long got = System.nanoTime();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                long worked = System.nanoTime();
                c.commit();
                long committed = System.nanoTime();
                if (committed - asked > SLOW_NANOS) {
                    log.warn("Slow metadata transaction from {}: waited {} ms for a connection, worked {} ms, committed in {} ms",
                            caller(), (got - asked) / 1_000_000, (worked - got) / 1_000_000, (committed - worked) / 1_000_000);
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The metadata store failed: " + e.getMessage(), e);
        }
    }

    /**
     * A transaction of a manager in a quorum: its writes are recorded and appended to the log, as the leader of the
     * epoch, before they commit here; a follower's (journal null) first write is refused, changing nothing.
     */
    private <T> T inReplicatedTransaction(SqlWork<T> work, org.idcguard.agent.manager.journal.Journal journal) {
        try (Connection raw = connection()) {
            raw.setAutoCommit(false);
            var recorder = new org.idcguard.agent.manager.journal.StatementRecorder(raw, identityTables, () -> {
                if (journal == null) {
                    throw new org.idcguard.agent.manager.journal.Journal.NotLeading("This manager follows the leader and changes nothing itself.");
                }
                writeLock.lock();
            }, shape);
            try {
                T result = work.run(recorder.connection());
                if (recorder.wrote()) {
                    long position = journal.append(new org.idcguard.agent.manager.journal.LogEntry(journal.epoch(), recorder.written()));
                    try {
                        setApplied(raw, position);
                        raw.commit();
                    } catch (SQLException | RuntimeException e) {
                        journal.behind("entry " + position + " is in the log but did not commit here: " + e.getMessage());
                        throw e;
                    }
                } else {
                    raw.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                raw.rollback();
                throw e;
            } finally {
                if (recorder.holdsWriteLock()) {
                    writeLock.unlock();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The metadata store failed: " + e.getMessage(), e);
        }
    }

    /** How far this copy has applied the managers' log. */
    public long appliedPosition() {
        try (Connection c = connection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT applied FROM quorum_position WHERE id = 1")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("The metadata store failed: " + e.getMessage(), e);
        }
    }

    /**
     * Applies the leader's entry at the position to this copy, in one transaction with the position, so a copy is
     * always exactly some prefix of the log. A row the leader gave a generated id gets that id here too.
     */
    public void apply(long position, org.idcguard.agent.manager.journal.LogEntry entry) {
        writeLock.lock();
        java.util.Set<String> renumbered = new java.util.HashSet<>();
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                for (var statement : entry.statements()) {
                    shape.check(statement.sql());
                    if (statement.table() != null) {
                        // the table named beside the statement is pasted into SQL below: only the statement's own
                        // target, and only a table whose ids are generated, may be named
                        shape.checkKeyTable(statement.sql(), statement.table(), identityTables);
                    }
                    try (var st = c.prepareStatement(statement.sql())) {
                        for (int i = 0; i < statement.params().size(); i++) {
                            st.setObject(i + 1, statement.params().get(i));
                        }
                        st.execute();
                    }
                    if (statement.key() != null && giveKey(c, statement.table(), statement.key())) {
                        renumbered.add(statement.table());
                    }
                }
                setApplied(c, position);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw new IllegalStateException("Entry " + position + " of the managers' log cannot be applied here: "
                        + e.getMessage(), e);
            }
            for (String table : renumbered) {
                restartIdentity(c, table);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The metadata store failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Gives the row just inserted the leader's id; true when it had got another one here. */
    private static boolean giveKey(Connection c, String table, long key) throws SQLException {
        long got;
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT MAX(id) FROM " + table)) {
            rs.next();
            got = rs.getLong(1);
        }
        if (got == key) {
            return false;
        }
        try (var st = c.prepareStatement("UPDATE " + table + " SET id = ? WHERE id = ?")) {
            st.setLong(1, key);
            st.setLong(2, got);
            st.executeUpdate();
        }
        return true;
    }

    private static void setApplied(Connection c, long position) throws SQLException {
        try (var st = c.prepareStatement("UPDATE quorum_position SET applied = ? WHERE id = 1")) {
            st.setLong(1, position);
            st.executeUpdate();
        }
    }

    /** Every generated id from here on is above the highest there is, whichever copy's counter was behind. */
    private void restartIdentities() {
        try (Connection c = connection()) {
            for (String table : identityTables) {
                restartIdentity(c, table);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The metadata store failed: " + e.getMessage(), e);
        }
    }

    private static void restartIdentity(Connection c, String table) throws SQLException {
        long next;
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM " + table)) {
            rs.next();
            next = rs.getLong(1);
        }
        try (var st = c.createStatement()) {
            st.execute("ALTER TABLE " + table + " ALTER COLUMN id RESTART WITH " + next);
        }
    }

    private java.util.Set<String> readIdentityTables() {
        try (Connection c = connection(); var st = c.createStatement(); var rs = st.executeQuery(
                "SELECT table_name FROM information_schema.columns WHERE is_identity = 'YES' AND table_schema = 'PUBLIC' "
                        + "AND column_name = 'ID'")) {
            java.util.Set<String> tables = new java.util.HashSet<>();
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
            return java.util.Set.copyOf(tables);
        } catch (SQLException e) {
            throw new IllegalStateException("The metadata store failed: " + e.getMessage(), e);
        }
    }

    /** Every table of the metadata but Flyway's history and this copy's own log position. */
    private java.util.Set<String> readLoggedTables() {
        try (Connection c = connection(); var st = c.createStatement(); var rs = st.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'PUBLIC' AND table_type = 'BASE TABLE'")) {
            java.util.Set<String> tables = new java.util.HashSet<>();
            while (rs.next()) {
                tables.add(rs.getString(1).toUpperCase(java.util.Locale.ROOT));
            }
            tables.remove("FLYWAY_SCHEMA_HISTORY");
            tables.remove("QUORUM_POSITION");
            return java.util.Set.copyOf(tables);
        } catch (SQLException e) {
            throw new IllegalStateException("The metadata store failed: " + e.getMessage(), e);
        }
    }

    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames.map(StackWalker.StackFrame::toStackTraceElement)
                .filter(f -> !f.getClassName().equals(MetadataStore.class.getName()) && f.getClassName().startsWith("org.idcguard"))
                .limit(2).map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName()
                        + ":" + f.getLineNumber()).reduce((a, b) -> a + " < " + b).orElse("?"));
    }

    @Override
    public void close() {
        pool.close();
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}
