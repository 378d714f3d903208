package org.idcguard.agent.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
    /** OsUser's name: PostgreSQL refuses to run as root, so a root test runs it as this user, like a node agent does. */
    private static final String PG_USER = OsUser.NAME;
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final int PRIMARY_PORT = 57501;
    private static final int STANDBY_PORT = 57502;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String LEASE_FILE = "idcguard.lease";
    private static final String REFUSAL = "this primary's lease from the IDC Guard manager has run out: the commit is refused";
    /** read_only_sql_transaction: what a standby answers to a write, and what the check answers to a commit. */
    private static final String REFUSAL_STATE = "25006";

    private PostgresBinaries pg;
    private Path root;
    private Path primary;
    private Path standby;
    private final List<Path> started = new ArrayList<>();
    private int nextId = 1;

    @BeforeAll
    void startPrimaryAndSynchronousStandby() throws Exception {
        pg = PostgresBinaries.find().orElseThrow(() -> new AssertionError("PostgreSQL server binaries not found"));
        if (!pg.hasLibrary(PostgresBinaries.LEASE_LIBRARY)) {
            Assumptions.assumeTrue(ROOT, "the lease check is not installed in " + pg.pkglibdir() + " and installing it needs root: "
                    + "run ./idcguard once as root (it builds and installs extension/idcguard_lease)");
            fail("the lease check is not installed in " + pg.pkglibdir() + ": build and install it with "
                    + "make -C extension/idcguard_lease install (./idcguard test does that before the tests)");
        }
        root = Files.createTempDirectory("idcg-lease-");
        if (ROOT) {
            ensurePgUser();
            run("chown", PG_USER + ":" + PG_USER, root.toString());
        }
        primary = root.resolve("primary");
        standby = root.resolve("standby");
        asPg(pg.tool("initdb").toString(), "-D", primary.toString(), "-U", "postgres", "-A", "trust", "-N");
        Files.writeString(primary.resolve("postgresql.conf"), """

                listen_addresses = '127.0.0.1'
                unix_socket_directories = ''
                shared_buffers = '16MB'
                fsync = off
                """ + preloadLine() + "\n", StandardOpenOption.APPEND);
        start(primary, PRIMARY_PORT);
        sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE EXTENSION idcguard_lease");
        asPg(pg.tool("pg_basebackup").toString(), "-D", standby.toString(), "-R", "-X", "stream", "-c", "fast",
                "-h", "127.0.0.1", "-p", Integer.toString(PRIMARY_PORT), "-U", "postgres", "-N");
        Files.writeString(standby.resolve("postgresql.auto.conf"),
                "\nprimary_conninfo = 'host=127.0.0.1 port=" + PRIMARY_PORT + " user=postgres application_name=s'\n",
                StandardOpenOption.APPEND);
        start(standby, STANDBY_PORT);
        sql("ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (s)'", "SELECT pg_reload_conf()");
        Waits.until(WAIT, "the standby is the primary's synchronous standby",
                () -> "quorum".equals(text("SELECT max(sync_state) FROM pg_stat_replication WHERE application_name = 's'")));
    }

    @AfterAll
    void stopServers() throws IOException {
        for (Path dataDir : started) {
            kill(dataDir);
        }
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
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
        int writerPid = Integer.parseInt(text(writer, "SELECT pg_backend_pid()"));
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
        Waits.until(WAIT, "the standby replayed the row", () -> "1".equals(text(STANDBY_PORT, "SELECT count(*) FROM t WHERE id = " + id)));
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

    private void start(Path dataDir, int port) throws IOException {
        started.add(dataDir);
        try {
            asPg(pg.tool("pg_ctl").toString(), "start", "-w", "-t", "60", "-D", dataDir.toString(),
                    "-l", logFile(dataDir).toString(), "-o", "-p " + port);
        } catch (AssertionError e) {
            // the temporary folder goes with the test: keep the server's own explanation
            throw new AssertionError(e.getMessage() + "\n" + Files.readString(logFile(dataDir)), e);
        }
    }

    private static Path logFile(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".log");
    }

    /** The postmaster of a running server and every process under it. */
    private static List<Long> processesOf(Path dataDir) throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
        ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow(() -> new AssertionError("no postmaster " + postmaster));
        List<Long> pids = new ArrayList<>(List.of(postmaster));
        handle.descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    private static void signal(String signal, List<Long> pids) {
        List<String> command = new ArrayList<>(List.of("kill", "-s", signal));
        pids.forEach(p -> command.add(Long.toString(p)));
        run(command.toArray(String[]::new));
    }

    /**
     * SIGKILLs a server's postmaster and every process under it (a stopped one too) and removes the System V segment a
     * killed postmaster leaves behind.
     */
    private static void kill(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        ProcessHandle.of(Long.parseLong(lines.get(0).strip())).ifPresent(postmaster -> {
            List<ProcessHandle> all = new ArrayList<>(List.of(postmaster));
            all.addAll(postmaster.descendants().toList());
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : all) {
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("process " + p.pid() + " outlived SIGKILL", e);
                }
            }
        });
        if (lines.size() >= 7 && !lines.get(6).isBlank()) {
            String[] keyAndId = lines.get(6).strip().split("\\s+");
            try {
                run("ipcrm", "-m", keyAndId[keyAndId.length - 1]);
            } catch (AssertionError alreadyGone) {
                // removed with its last attached process
            }
        }
        Files.delete(pidFile);
    }

    private static Connection connect(int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection db = connect(PRIMARY_PORT); Statement st = db.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static String text(String query) {
        return text(PRIMARY_PORT, query);
    }

    private static String text(int port, String query) {
        try (Connection db = connect(port)) {
            return text(db, query);
        } catch (SQLException e) {
            throw new AssertionError(query + " failed on port " + port + ": " + e.getMessage(), e);
        }
    }

    private static String text(Connection db, String query) {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new AssertionError(query + " failed: " + e.getMessage(), e);
        }
    }

    private void asPg(String... command) {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("runuser", "-u", PG_USER, "--"));
        }
        full.addAll(List.of(command));
        runIn(root, full);
    }

    private static void ensurePgUser() {
        try {
            run("id", "-u", PG_USER);
        } catch (AssertionError missing) {
            // what OsUser does on a node agent's first start
            run("useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER);
        }
    }

    private static void run(String... command) {
        runIn(null, List.of(command));
    }

    private static void runIn(Path dir, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            // pg_ctl start hands the server's output to its log file, so this ends when the command does
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
