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
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The metadata store failed: " + e.getMessage(), e);
        }
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
