package org.idcguard.agent.node;

import static org.idcguard.agent.testing.BarePostgres.connect;
import static org.idcguard.agent.testing.BarePostgres.logFile;
import static org.idcguard.agent.testing.BarePostgres.processesOf;
import static org.idcguard.agent.testing.BarePostgres.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.idcguard.agent.testing.BarePostgres;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.InstanceSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The lease check inside PostgreSQL (extension/idcguard_lease) on real servers: a primary preloading it and one
 * synchronous standby, no node agent. The test writes the lease file itself, as the node agent does: a deadline in
 * milliseconds of CLOCK_MONOTONIC, which is System.nanoTime() on Linux.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaseExtensionTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final int PRIMARY_PORT = 57501;
    private static final int STANDBY_PORT = 57502;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LEASE_FILE = "idcguard.lease";
    private static final String REFUSAL = "this primary's lease from the IDC Guard manager has run out: the commit is refused";
    /** read_only_sql_transaction: what a standby answers to a write, and what the check answers to a commit. */
    private static final String REFUSAL_STATE = "25006";

    private BarePostgres servers;
    private Path primary;
    private Path standby;
    private int nextId = 1;

    @BeforeAll
    void startPrimaryAndSynchronousStandby() throws Exception {
        PostgresBinaries pg = BarePostgres.binaries();
        if (!pg.hasLibrary(PostgresBinaries.LEASE_LIBRARY)) {
            Assumptions.assumeTrue(ROOT, "the lease check is not installed in " + pg.pkglibdir() + " and installing it needs root: "
                    + "run ./idcguard once as root (it builds and installs extension/idcguard_lease)");
            fail("the lease check is not installed in " + pg.pkglibdir() + ": build and install it with "
                    + "make -C extension/idcguard_lease install (./idcguard test does that before the tests)");
        }
        servers = new BarePostgres(pg, "idcg-lease-");
        primary = servers.dataDir("primary");
        standby = servers.dataDir("standby");
        servers.initdb(primary, preloadLine() + "\n");
        servers.start(primary, PRIMARY_PORT);
        sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE EXTENSION idcguard_lease");
        servers.basebackup(standby, PRIMARY_PORT);
        Files.writeString(standby.resolve("postgresql.auto.conf"),
                "\nprimary_conninfo = 'host=127.0.0.1 port=" + PRIMARY_PORT + " user=postgres application_name=s'\n",
                StandardOpenOption.APPEND);
        servers.start(standby, STANDBY_PORT);
        sql("ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (s)'", "SELECT pg_reload_conf()");
        Waits.until(WAIT, "the standby is the primary's synchronous standby",
                () -> "quorum".equals(text("SELECT max(sync_state) FROM pg_stat_replication WHERE application_name = 's'")));
    }

    @AfterAll
    void stopServers() throws IOException {
        if (servers != null) {
            servers.close();
        }
    }

    @BeforeEach
    void noLease() throws IOException {
        if (primary != null) {
            Files.deleteIfExists(primary.resolve(LEASE_FILE));
        }
    }

    @Test
    void commitsSucceedUnderAValidLeaseAndWithoutALeaseFileAndAreRefusedOnceItRanOut() throws Exception {
        writeLease(monotonicMillis() + 60_000);
        insertAutocommit();
        insertInTransaction();
        long remaining = Long.parseLong(text("SELECT idcguard_lease_remaining_ms()"));
        assertTrue(remaining > 50_000 && remaining <= 60_000, "the lease has about a minute left, the server says " + remaining + " ms");

        writeLease(monotonicMillis() - 1_000);
        int refused = nextId;
        SQLException commit = assertThrows(SQLException.class, this::insertInTransaction, "COMMIT succeeded with an expired lease");
        assertRefusal(commit);
        SQLException autocommit = assertThrows(SQLException.class, this::insertAutocommit,
                "an autocommit INSERT succeeded with an expired lease");
        assertRefusal(autocommit);
        assertEquals("0", text("SELECT count(*) FROM t WHERE id >= " + refused), "a refused commit left a row behind");
        assertTrue(Long.parseLong(text("SELECT idcguard_lease_remaining_ms()")) <= -1_000, "the server sees the lease ran out");

        Files.writeString(primary.resolve(LEASE_FILE), "not a deadline\n");
        assertRefusal(assertThrows(SQLException.class, this::insertAutocommit, "a commit succeeded under an unreadable lease file"));

        Files.delete(primary.resolve(LEASE_FILE));
        insertAutocommit();
        insertInTransaction();
        assertNull(text("SELECT idcguard_lease_remaining_ms()"), "without a lease file there is no lease to report");
    }

    @Test
    void aCommitWaitingForItsStandbyWhenTheLeaseRunsOutLosesItsConnectionInsteadOfSucceeding() throws Exception {
        writeLease(monotonicMillis() + 60_000);
        int id = nextId++;
        List<Long> standbyProcesses = processesOf(standby);
        Connection writer = connect(PRIMARY_PORT);
        int writerPid = Integer.parseInt(BarePostgres.text(writer, "SELECT pg_backend_pid()"));
        CompletableFuture<Void> insert;
        signal("STOP", standbyProcesses);
        try {
            insert = CompletableFuture.runAsync(() -> {
                try (Statement st = writer.createStatement()) {
                    st.execute("INSERT INTO t VALUES (" + id + ", 'waits for its standby')");
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            });
            Waits.until(WAIT, "the INSERT's commit waits for the frozen standby",
                    () -> "SyncRep".equals(text("SELECT wait_event FROM pg_stat_activity WHERE pid = " + writerPid)));
            // the lease runs out while the commit waits: the manager may have promoted the DR city meanwhile
            writeLease(monotonicMillis() - 1);
        } finally {
            signal("CONT", standbyProcesses);
        }
        try {
            insert.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            fail("the client was told its commit succeeded although the lease ran out while it waited");
        } catch (ExecutionException e) {
            SQLException lost = (SQLException) e.getCause().getCause();
            assertTrue(lost.getSQLState() != null && lost.getSQLState().startsWith("08"),
                    "the client sees its connection lost (SQLSTATE class 08), not " + lost.getSQLState() + ": " + lost.getMessage());
        } finally {
            writer.close();
        }
        // committed here before the cut, so its outcome is unknown to the client, not silently lost
        Files.delete(primary.resolve(LEASE_FILE));
        assertEquals("1", text("SELECT count(*) FROM t WHERE id = " + id), "the row committed locally");
        Waits.until(WAIT, "the standby replayed the row", () -> "1".equals(BarePostgres.text(STANDBY_PORT, "SELECT count(*) FROM t WHERE id = " + id)));
        String log = Files.readString(logFile(primary));
        assertTrue(log.contains("ran out while transaction"), "the primary's log says why it cut the connection");
        assertFalse(log.contains("PANIC"), "the cut must not PANIC the primary");
        assertNotNull(text("SELECT 1"), "the primary still serves");
    }

    @Test
    void aReadOnlyTransactionIsNeverRefused() throws Exception {
        writeLease(monotonicMillis() - 1_000);
        try (Connection db = connect(PRIMARY_PORT)) {
            db.setAutoCommit(false);
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
                assertTrue(rs.next());
            }
            db.commit();
            db.setReadOnly(true);
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT now()")) {
                assertTrue(rs.next());
            }
            db.commit();
        }
        assertNotNull(text("SELECT count(*) FROM t"), "an autocommit SELECT is answered under an expired lease");
    }

    /** The preload line exactly as the node agent writes it where the library is installed (and only there). */
    private String preloadLine() {
        InstanceSpec spec = new InstanceSpec("p", "lease", PRIMARY_PORT, InstanceSpec.PRIMARY, null, 0, "postgres", "unused",
                List.of("127.0.0.1"));
        assertFalse(PostgresConfig.settings("127.0.0.1", spec, primary.toString(), false).contains("shared_preload_libraries"),
                "without the library installed PostgreSQL must not be told to preload it: it would refuse to start");
        return PostgresConfig.settings("127.0.0.1", spec, primary.toString(), true).lines()
                .filter(line -> line.startsWith("shared_preload_libraries")).findFirst()
                .orElseThrow(() -> new AssertionError("the node agent's settings do not preload the installed lease check"));
    }

    private static void assertRefusal(SQLException e) {
        assertEquals(REFUSAL_STATE, e.getSQLState(), "the refusal's SQLSTATE, for " + e.getMessage());
        assertTrue(e.getMessage().contains(REFUSAL), "the refusal says why: " + e.getMessage());
    }

    private void insertAutocommit() throws SQLException {
        try (Connection db = connect(PRIMARY_PORT); Statement st = db.createStatement()) {
            st.execute("INSERT INTO t VALUES (" + nextId++ + ", 'autocommit')");
        }
    }

    private void insertInTransaction() throws SQLException {
        try (Connection db = connect(PRIMARY_PORT)) {
            db.setAutoCommit(false);
            try (Statement st = db.createStatement()) {
                st.execute("INSERT INTO t VALUES (" + nextId++ + ", 'in a transaction')");
            }
            db.commit();
        }
    }

    /** The node agent's way: written beside, then renamed over the lease, so the server never reads half a line. */
    private void writeLease(long deadlineMillis) throws IOException {
        Path tmp = primary.resolve(LEASE_FILE + ".tmp");
        Files.writeString(tmp, deadlineMillis + "\n");
        Files.move(tmp, primary.resolve(LEASE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** CLOCK_MONOTONIC in milliseconds: the JVM reads that clock for nanoTime on Linux. */
    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    private static void sql(String... statements) throws SQLException {
        BarePostgres.sql(PRIMARY_PORT, statements);
    }

    private static String text(String query) {
        return BarePostgres.text(PRIMARY_PORT, query);
    }
}
