package org.idcguard.agent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.idcguard.agent.node.PostgresBinaries;

/**
 * Bare PostgreSQL servers on 127.0.0.1, no node agent, in one temporary folder: for tests of what the servers themselves
 * do. Closing kills every server started here with all its processes, removes the shared memory they leave and the
 * folder.
 */
public final class BarePostgres implements AutoCloseable {
    /**
     * OsUser.NAME (not visible outside its package): PostgreSQL refuses to run as root, so a root test runs it as this
     * user, like a node agent does.
     */
    public static final String PG_USER = "idcguard";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    /** The servers are thrown away with the test: nothing to be durable, nothing reachable from elsewhere. */
    private static final String SETTINGS = """

            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            shared_buffers = '16MB'
            fsync = off
            """;

    private final PostgresBinaries pg;
    private final Path root;
    private final List<Path> started = new ArrayList<>();

    public BarePostgres(String prefix) throws IOException {
        this(binaries(), prefix);
    }

    public BarePostgres(PostgresBinaries pg, String prefix) throws IOException {
        this.pg = pg;
        root = Files.createTempDirectory(prefix);
        try {
            if (ROOT) {
                ensurePgUser();
                run("chown", PG_USER + ":" + PG_USER, root.toString());
            }
        } catch (AssertionError e) {
            Files.delete(root);
            throw e;
        }
    }

    public static PostgresBinaries binaries() {
        return PostgresBinaries.find().orElseThrow(() -> new AssertionError("PostgreSQL server binaries not found"));
    }

    public Path dataDir(String name) {
        return root.resolve(name);
    }

    /** A new primary's data directory, with {@code settings} after the ones every server here has. */
    public void initdb(Path dataDir, String settings) throws IOException {
        asPg(pg.tool("initdb").toString(), "-D", dataDir.toString(), "-U", "postgres", "-A", "trust", "-N");
        Files.writeString(dataDir.resolve("postgresql.conf"), SETTINGS + settings, StandardOpenOption.APPEND);
    }

    /** A standby of the server on {@code upstreamPort}, streaming from it once started. */
    public void basebackup(Path dataDir, int upstreamPort) {
        asPg(pg.tool("pg_basebackup").toString(), "-D", dataDir.toString(), "-R", "-X", "stream", "-c", "fast",
                "-h", "127.0.0.1", "-p", Integer.toString(upstreamPort), "-U", "postgres", "-N");
    }

    public void start(Path dataDir, int port) throws IOException {
        started.add(dataDir);
        try {
            asPg(pg.tool("pg_ctl").toString(), "start", "-w", "-t", "60", "-D", dataDir.toString(),
                    "-l", logFile(dataDir).toString(), "-o", "-p " + port);
        } catch (AssertionError e) {
            // the temporary folder goes with the test: keep the server's own explanation
            throw new AssertionError(e.getMessage() + "\n" + Files.readString(logFile(dataDir)), e);
        }
    }

    public static Path logFile(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".log");
    }

    /**
     * SIGKILLs a server's postmaster and every process under it (a stopped one too), as when its host dies, and removes
     * the System V segment a killed postmaster leaves behind.
     */
    public void kill(Path dataDir) throws IOException {
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
                // removed with its last attached process, or by a postmaster that stopped cleanly
            }
        }
        Files.delete(pidFile);
    }

    /** The postmaster of a running server and every process under it. */
    public static List<Long> processesOf(Path dataDir) throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
        ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow(() -> new AssertionError("no postmaster " + postmaster));
        List<Long> pids = new ArrayList<>(List.of(postmaster));
        handle.descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** {@code signal} as kill(1) names it: STOP freezes a server as a stalled host would, CONT thaws it. */
    public static void signal(String signal, List<Long> pids) {
        List<String> command = new ArrayList<>(List.of("kill", "-s", signal));
        pids.forEach(p -> command.add(Long.toString(p)));
        run(command.toArray(String[]::new));
    }

    /**
     * An onlooker's session, not a manager's: it carries no epoch for a fence to end, and no socket timeout that would
     * pass for a lost connection.
     */
    public static Connection connect(int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    public static void sql(int port, String... statements) throws SQLException {
        try (Connection db = connect(port); Statement st = db.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /** The first column of the first row, null when there is none. */
    public static String text(int port, String query) {
        try (Connection db = connect(port)) {
            return text(db, query);
        } catch (SQLException e) {
            throw new AssertionError(query + " failed on port " + port + ": " + e.getMessage(), e);
        }
    }

    public static String text(Connection db, String query) {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new AssertionError(query + " failed: " + e.getMessage(), e);
        }
    }

    public static long number(int port, String query) {
        try (Connection db = connect(port); Statement st = db.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(query + " failed on port " + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        AssertionError failed = null;
        for (Path dataDir : started) {
            try {
                kill(dataDir);
            } catch (AssertionError e) {
                // the other servers still go
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        if (failed != null) {
            throw failed;
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
