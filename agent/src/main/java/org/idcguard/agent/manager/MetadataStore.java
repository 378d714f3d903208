package org.idcguard.agent.manager;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The manager's embedded H2 database, migrated by Flyway on open. Commits are written at once
 * (WRITE_DELAY=0) so that a manager killed with SIGKILL loses nothing it acknowledged.
 */
public final class MetadataStore implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MetadataStore.class);
    /** A transaction this slow holds up the HA actions queued behind it; it is logged with where it came from. */
    private static final long SLOW_NANOS = 200_000_000L;
    private final JdbcConnectionPool pool;

    private MetadataStore(JdbcConnectionPool pool) {
        this.pool = pool;
    }

    public static MetadataStore open(Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("metadata").toAbsolutePath() + ";WRITE_DELAY=0";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "idcguard", "");
        pool.setMaxConnections(64); // every group of a 16-shard cluster fails over at once, each with its own short transactions
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
        pool.dispose();
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}
