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
public final class MetadataStore implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MetadataStore.class);
    /** A transaction this slow holds up the HA actions queued behind it; it is logged with where it came from. */
    private static final long SLOW_NANOS = 200_000_000L;
    private final HikariDataSource pool;

    private MetadataStore(HikariDataSource pool) {
        this.pool = pool;
    }

    public static MetadataStore open(Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("metadata").toAbsolutePath() + ";WRITE_DELAY=0";
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("idcguard");
        config.setPassword("");
        config.setPoolName("metadata");
        // Every group of a 16-shard cluster fails over at once, each with its own short transactions. The connections
        // are made up front and handed over without a global lock: H2's own pool opened them one at a time under its
        // lock, and HA actions queued for up to a second behind it during a 16-shard takeover.
        config.setMaximumPoolSize(32);
        config.setMinimumIdle(32);
        config.setConnectionTimeout(30_000);
        HikariDataSource pool = new HikariDataSource(config);
        Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        return new MetadataStore(pool);
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** Runs work in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(SqlWork<T> work) {
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
