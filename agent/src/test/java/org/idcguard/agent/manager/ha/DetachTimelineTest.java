package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.PgSession;
import org.idcguard.agent.node.PostgresBinaries;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which timeline {@link NodeSql#detach} reports for a standby whose upstream was killed, on real PostgreSQL: three bare
 * servers, no node agent. A standby that follows a promoted node reads the old timeline in pg_control_checkpoint() until
 * its next restartpoint, and once its WAL receiver has exited pg_stat_wal_receiver shows nothing; the choice of the most
 * advanced standby must still see that it holds WAL of the new timeline.
 */
class DetachTimelineTest {
    /** OsUser's name: PostgreSQL refuses to run as root, so a root test runs it as this user, like a node agent does. */
    private static final String PG_USER = "idcguard";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final int PORT_A = 56471;
    private static final int PORT_B = 56472;
    private static final int PORT_C = 56473;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** No restartpoint in the test's lifetime (checkpoint_timeout), none for WAL volume either (max_wal_size). */
    private static final String CONF = """

            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            checkpoint_timeout = '1h'
            max_wal_size = '1GB'
            shared_buffers = '16MB'
            fsync = off
            """;

    private PostgresBinaries pg;
    private Path root;
    private final List<Path> started = new ArrayList<>();

    @AfterEach
    void cleanUp() throws IOException {
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

    @Test
    void aStandbyOnTheNewTimelineWithoutARestartpointReportsThatTimelineOnceItsUpstreamIsKilled() throws Exception {
        pg = PostgresBinaries.find().orElseThrow(() -> new AssertionError("PostgreSQL server binaries not found"));
        root = Files.createTempDirectory("idcg-detach-tli-");
        if (ROOT) {
            ensurePgUser();
            run("chown", PG_USER + ":" + PG_USER, root.toString());
        }
        Path a = root.resolve("a");
        Path b = root.resolve("b");
        Path c = root.resolve("c");
        asPg(pg.tool("initdb").toString(), "-D", a.toString(), "-U", "postgres", "-A", "trust", "-N");
        Files.writeString(a.resolve("postgresql.conf"), CONF, StandardOpenOption.APPEND);
        start(a, PORT_A);
        sql(PORT_A, "CREATE TABLE t (v text)", "INSERT INTO t VALUES ('timeline 1')");
        for (Path standby : List.of(b, c)) {
            asPg(pg.tool("pg_basebackup").toString(), "-D", standby.toString(), "-R", "-X", "stream", "-c", "fast",
                    "-h", "127.0.0.1", "-p", Integer.toString(PORT_A), "-U", "postgres", "-N");
        }
        start(b, PORT_B);
        start(c, PORT_C);

        // The old primary dies with both standbys level; b is taken over, c follows it (the repoint of a takeover).
        long endOfTimeline1 = lsn(PORT_A, "SELECT pg_current_wal_flush_lsn()");
        for (int port : List.of(PORT_B, PORT_C)) {
            Waits.until(WAIT, "the standby on " + port + " replayed the old primary's WAL",
                    () -> lsn(port, "SELECT pg_last_wal_replay_lsn()") >= endOfTimeline1);
        }
        kill(a);
        sql(PORT_B, "SELECT pg_promote()", "INSERT INTO t VALUES ('timeline 2')");
        long onTimeline2 = lsn(PORT_B, "SELECT pg_current_wal_flush_lsn()");
        sql(PORT_C, "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=" + PORT_B + " user=postgres'",
                "SELECT pg_reload_conf()");
        Waits.until(WAIT, "c streams timeline 2 from b and received b's commit",
                () -> number(PORT_C, "SELECT coalesce(max(received_tli), 0) FROM pg_stat_wal_receiver") == 2
                        && lsn(PORT_C, "SELECT pg_last_wal_receive_lsn()") >= onTimeline2);

        // The new primary dies too: c's WAL receiver exits and nothing shows the timeline it streamed.
        kill(b);
        Waits.until(WAIT, "c's WAL receiver exited", () -> number(PORT_C, "SELECT count(*) FROM pg_stat_wal_receiver") == 0);
        // The premise: pg_control still names timeline 1, while pg_wal holds segments of timeline 1 beside timeline 2's.
        assertEquals(1, number(PORT_C, "SELECT timeline_id FROM pg_control_checkpoint()"),
                "c made a restartpoint since it followed b: the test no longer shows what it is about");
        assertTrue(number(PORT_C, "SELECT count(*) FROM pg_ls_waldir() WHERE name ~ '^00000001[0-9A-F]{16}$'") > 0,
                "c's pg_wal still holds timeline 1's segments");

        WalPosition at;
        try (Connection db = connect(PORT_C)) {
            at = NodeSql.detach(db, new NodeRecord("c", "detach", "g0", "idc", "127.0.0.1", "", PORT_C, c.toString(),
                    "standby", false));
        }
        assertEquals(2, at.timeline(), "c holds WAL of timeline 2 and reported " + at);
        assertTrue(at.atLeast(new WalPosition(2, onTimeline2)), "c received b's commit on timeline 2, yet reported " + at);
    }

    private void start(Path dataDir, int port) throws IOException {
        started.add(dataDir);
        asPg(pg.tool("pg_ctl").toString(), "start", "-w", "-t", "60", "-D", dataDir.toString(),
                "-l", dataDir.resolveSibling(dataDir.getFileName() + ".log").toString(), "-o", "-p " + port);
    }

    /**
     * SIGKILLs a server's postmaster and every process under it, as when its host dies, and removes the small System V
     * segment a killed postmaster leaves behind.
     */
    private static void kill(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        ProcessHandle.of(Long.parseLong(lines.get(0).strip())).ifPresent(postmaster -> {
            List<ProcessHandle> children = postmaster.descendants().toList();
            postmaster.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : concat(postmaster, children)) {
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
                // a postmaster stopped cleanly removed it itself
            }
        }
        Files.delete(pidFile);
    }

    private static List<ProcessHandle> concat(ProcessHandle first, List<ProcessHandle> rest) {
        List<ProcessHandle> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static Connection connect(int port) throws SQLException {
        return PgSession.open("127.0.0.1", port, "postgres", "postgres", "", 3);
    }

    private static void sql(int port, String... statements) throws SQLException {
        try (Connection db = connect(port); Statement st = db.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static long number(int port, String query) {
        try (Connection db = connect(port); Statement st = db.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(query + " failed on port " + port + ": " + e.getMessage(), e);
        }
    }

    private static long lsn(int port, String query) {
        try (Connection db = connect(port); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT (" + query + ")::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw new AssertionError(query + " failed on port " + port + ": " + e.getMessage(), e);
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
