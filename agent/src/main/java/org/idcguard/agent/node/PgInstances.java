package org.idcguard.agent.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.http.Json;
import org.idcguard.model.ClientNetworks;
import org.idcguard.model.FollowRequest;
import org.idcguard.model.InstanceSpec;
import org.idcguard.model.InstanceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL instances of this computer: each under {@code <root>/<cluster>/<name>} with its spec beside it
 * ({@code <name>.json}) and its server log ({@code <name>.log}). Every operation is idempotent, and operations on
 * one instance are serialised. Nothing is ever started on the agent's own initiative: after a restart the agent
 * reports what it finds and waits for the manager (who may have promoted another node meanwhile).
 */
final class PgInstances {
    private static final Logger log = LoggerFactory.getLogger(PgInstances.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Duration SLOW = Duration.ofMinutes(5);
    private static final Duration START_LIMIT = Duration.ofSeconds(120);
    private final String address;
    private final Path root;
    private final PostgresBinaries pg;
    private final OsUser user;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    PgInstances(String address, Path root, PostgresBinaries pg, OsUser user) {
        this.address = address;
        this.root = root;
        this.pg = pg;
        this.user = user;
    }

    List<InstanceStatus> list() {
        List<InstanceStatus> all = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return all;
        }
        // Names only, no attributes: a spec being replaced (its temporary file moved into place) may vanish between
        // the listing and a stat, which Files.find reports as a failure of the whole listing.
        List<Path> specs = new ArrayList<>();
        try (Stream<Path> clusters = Files.list(root)) {
            for (Path cluster : clusters.toList()) {
                try (Stream<Path> files = Files.list(cluster)) {
                    files.filter(f -> f.getFileName().toString().endsWith(".json")).forEach(specs::add);
                } catch (java.nio.file.NotDirectoryException | java.nio.file.NoSuchFileException notACluster) {
                    // a file beside the cluster directories, or a cluster removed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        specs.stream().sorted().forEach(file -> readSpec(file).ifPresent(spec -> all.add(status(spec))));
        return all;
    }

    Optional<InstanceStatus> find(String name) {
        return list().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * A superuser session to the instance over its own listener, with the credentials of its spec, failing within
     * a second: for the health checks, which must answer HAProxy within its check timeout.
     */
    java.sql.Connection quickSession(String name) throws java.sql.SQLException {
        InstanceSpec spec = spec(name);
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", spec.superuser());
        p.setProperty("password", spec.superuserPassword());
        p.setProperty("connectTimeout", "1");
        p.setProperty("loginTimeout", "1");
        p.setProperty("socketTimeout", "1");
        p.setProperty("ApplicationName", "idcguard-health");
        // from this computer's own address: the session never leaves the host, whatever cuts it off from others
        p.setProperty("localSocketAddress", address);
        String host = address.contains(":") ? "[" + address + "]" : address;
        return java.sql.DriverManager.getConnection("jdbc:postgresql://" + host + ":" + spec.port() + "/postgres", p);
    }

    /** Creates the instance if it does not exist yet (initdb or base backup), then makes sure it runs. */
    InstanceStatus ensure(InstanceSpec spec) {
        check(spec);
        synchronized (lock(spec.name())) {
            Path dataDir = dataDir(spec);
            if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
                create(spec, dataDir);
            }
            return start(spec);
        }
    }

    InstanceStatus start(String name) {
        synchronized (lock(name)) {
            return start(spec(name));
        }
    }

    /** Stops the instance; fast mode lets a primary send its last WAL to the standbys first. */
    InstanceStatus stop(String name, String mode) {
        synchronized (lock(name)) {
            InstanceSpec spec = spec(name);
            InstanceStatus now = status(spec);
            if (now.running()) {
                // What pg_ctl stop does, without its start-up cost and its 100-ms polling: a planned switch's write
                // pause lasts from this signal until the postmaster is gone.
                Command.run("kill", List.of("kill", "-s", SHUTDOWN_SIGNALS.get(mode), Long.toString(now.pid())), Map.of(), SLOW);
                awaitExit(now.pid(), Duration.ofSeconds(60));
            }
            return status(spec);
        }
    }

    /**
     * Makes the instance a standby of the given primary: stops it if it runs, rewinds it when asked (re-copying it
     * with a base backup if pg_rewind cannot), writes standby.signal and primary_conninfo, and starts it.
     * Running it twice leaves the same standby.
     */
    InstanceStatus follow(String name, FollowRequest request) {
        if (request.primaryHost() == null || request.primaryPort() < 1) {
            throw new ApiFailure(400, "A standby needs the address and port of its primary.", "primaryHost");
        }
        synchronized (lock(name)) {
            InstanceSpec old = spec(name);
            InstanceSpec spec = new InstanceSpec(old.name(), old.cluster(), old.port(), InstanceSpec.STANDBY,
                    request.primaryHost(), request.primaryPort(), old.superuser(), old.superuserPassword(), old.clientAddresses(),
                    request.clientNetworks() == null ? old.clientNetworks() : ClientNetworks.check(request.clientNetworks()));
            Path dataDir = dataDir(spec);
            stopForRejoin(spec);
            try {
                writeSpec(spec);
                if (!request.rewind()) {
                    makeStandby(dataDir);
                    configure(spec, dataDir);
                    return start(spec);
                }
                String copiedBy = rewind(spec, dataDir);
                makeStandby(dataDir);
                configure(spec, dataDir);
                return startRewound(spec, dataDir, copiedBy);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot reconfigure " + dataDir + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Starts a rewound standby and watches it become consistent. When the primary no longer has a WAL segment the
     * rewound copy still needs, no amount of waiting helps: it is stopped and copied again with a base backup.
     */
    private InstanceStatus startRewound(InstanceSpec spec, Path dataDir, String copiedBy) throws IOException {
        StandbyStartWatch watch = new StandbyStartWatch(dataDir, logFile(spec));
        startingLease(dataDir); // pg_rewind copied its source's lease file along: a standby holds none
        run("pg_ctl", List.of(pg.tool("pg_ctl").toString(), "start", "-D", dataDir.toString(), "-l", logFile(spec).toString(), "-W"));
        StandbyStartWatch.Outcome outcome = watch.await(START_LIMIT);
        switch (outcome) {
            case READY -> {
                log.info("Started {} on {}:{}", spec.name(), address, spec.port());
                return status(spec).withCopiedBy(copiedBy);
            }
            case WAL_GONE -> {
                log.warn("{} was rewound but {}:{} no longer has the WAL it needs; copying it again", spec.name(),
                        spec.primaryHost(), spec.primaryPort());
                stopImmediately(spec);
                deleteTree(dataDir);
                baseBackup(spec, dataDir);
                configure(spec, dataDir);
                return start(spec).withCopiedBy("a base backup: the primary no longer had the WAL the rewound copy needed");
            }
            default -> {
                stopImmediately(spec);
                throw new Command.CommandFailed("pg_ctl start of " + spec.name() + " " + outcome.name().toLowerCase().replace('_', ' ')
                        + ": " + Command.lastLines(watch.logSinceStart()));
            }
        }
    }

    private void stopImmediately(InstanceSpec spec) {
        if (status(spec).running()) {
            run("pg_ctl", List.of(pg.tool("pg_ctl").toString(), "stop", "-D", dataDir(spec).toString(), "-m", "immediate", "-w", "-t", "30"));
        }
    }

    private void stopForRejoin(InstanceSpec spec) {
        InstanceStatus now = status(spec);
        if (!now.running()) {
            return;
        }
        try {
            run("pg_ctl", List.of(pg.tool("pg_ctl").toString(), "stop", "-D", dataDir(spec).toString(), "-m", "fast", "-w", "-t", "15"));
        } catch (Command.CommandFailed e) {
            run("pg_ctl", List.of(pg.tool("pg_ctl").toString(), "stop", "-D", dataDir(spec).toString(), "-m", "immediate", "-w", "-t", "15"));
        }
    }

    /**
     * pg_rewind from the primary. Signal files go first: pg_rewind finishes crash recovery of an instance that was
     * killed by starting it in single-user mode, which refuses standby mode.
     */
    private String rewind(InstanceSpec spec, Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve("standby.signal"));
        Files.deleteIfExists(dataDir.resolve("recovery.signal"));
        try {
            run("pg_rewind", List.of(pg.tool("pg_rewind").toString(), "--target-pgdata=" + dataDir, "--source-server=host="
                    + spec.primaryHost() + " port=" + spec.primaryPort() + " user=" + spec.superuser()
                    + " dbname=postgres connect_timeout=5"), Map.of("PGPASSWORD", spec.superuserPassword()));
            log.info("Rewound {} from {}:{}", spec.name(), spec.primaryHost(), spec.primaryPort());
            return "pg_rewind";
        } catch (Command.CommandFailed e) {
            log.warn("pg_rewind of {} failed ({}); copying it again from {}:{}", spec.name(), e.getMessage(),
                    spec.primaryHost(), spec.primaryPort());
            deleteTree(dataDir);
            baseBackup(spec, dataDir);
            return "a base backup: pg_rewind failed";
        }
    }

    /**
     * Settings copied from elsewhere (a base backup, or pg_rewind's copy of the primary's files) are dropped, but for
     * the manager epoch that fences a deposed leader's SQL out (the manager's NodeEpoch): the copy is the primary's,
     * raised by the leader that made it primary, and a rejoined standby must not come back open to an older one.
     */
    private void makeStandby(Path dataDir) throws IOException {
        Path auto = dataDir.resolve("postgresql.auto.conf");
        String epoch = Files.exists(auto) ? Files.readAllLines(auto).stream()
                .filter(l -> l.matches("idcguard\\.epoch = '[0-9]+'")).map(l -> l + "\n").findFirst().orElse("") : "";
        Files.writeString(auto, "# Do not edit: the manager sets these with ALTER SYSTEM.\n" + epoch);
        Files.writeString(dataDir.resolve("standby.signal"), "");
        user.own(dataDir.resolve("postgresql.auto.conf"), dataDir.resolve("standby.signal"));
        List<Path> histories = TimelineHistories.fillAncestors(dataDir.resolve("pg_wal"));
        if (!histories.isEmpty()) {
            user.own(histories.toArray(Path[]::new));
            log.info("Wrote {} missing timeline history file(s) in {}", histories.size(), dataDir.resolve("pg_wal"));
        }
    }

    private static void awaitExit(long pid, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (ProcessLiveness.running(pid)) {
            if (System.nanoTime() > deadline) {
                throw new Command.CommandFailed("PostgreSQL (pid " + pid + ") did not stop within " + limit.toSeconds() + " s.");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops every running instance of this computer (a computer being shut down in an orderly way). */
    List<InstanceStatus> stopAll(String mode) {
        return list().stream().filter(InstanceStatus::running).map(s -> stop(s.name(), mode)).toList();
    }

    /** Stops the instance at once and removes its data directory, spec and log. Removing what is gone succeeds. */
    void remove(String name) {
        synchronized (lock(name)) {
            Optional<InstanceSpec> spec = findSpec(name);
            if (spec.isEmpty()) {
                return;
            }
            InstanceStatus now = status(spec.get());
            if (now.running()) {
                try {
                    run("pg_ctl", List.of(pg.tool("pg_ctl").toString(), "stop", "-D", dataDir(spec.get()).toString(), "-m", "immediate", "-w", "-t", "30"));
                } catch (Command.CommandFailed e) {
                    ProcessHandle.of(now.pid()).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            deleteTree(dataDir(spec.get()));
            deleteQuietly(specFile(spec.get().cluster(), name));
            deleteQuietly(logFile(spec.get()));
            deleteQuietly(Path.of(org.idcguard.model.StandbyConninfo.passfile(dataDir(spec.get()).toString(), name)));
            deleteIfEmpty(dataDir(spec.get()).getParent());
        }
    }

    private void create(InstanceSpec spec, Path dataDir) {
        Path clusterDir = dataDir.getParent();
        try {
            Files.createDirectories(clusterDir);
            writeSpec(spec);
            user.own(clusterDir);
            if (spec.isStandby()) {
                baseBackup(spec, dataDir);
            } else {
                initdb(spec, dataDir);
            }
            configure(spec, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + dataDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteTree(dataDir); // a half-made data directory would be mistaken for a real one next time
            throw e;
        }
    }

    /**
     * Lets the applications' networks in: the spec keeps them for every later rejoin or rebuild, pg_hba is rewritten,
     * and a running server reloads it (SIGHUP), so sessions already open are not touched.
     */
    InstanceStatus setClientNetworks(String name, List<String> networks) {
        return setAccess(name, null, ClientNetworks.check(networks));
    }

    /**
     * Lets a new set of the cluster's computers in (a DR city added later: its standbys replicate from these nodes),
     * kept in the spec for every later rejoin or rebuild, pg_hba rewritten and reloaded as for the client networks.
     */
    InstanceStatus setComputers(String name, List<String> computers) {
        if (computers.isEmpty() || computers.stream().anyMatch(a -> a == null || a.isBlank() || a.contains("/") || a.contains(" "))) {
            throw new ApiFailure(400, "Name the cluster's computers by their addresses.", "computers");
        }
        return setAccess(name, List.copyOf(computers), null);
    }

    private InstanceStatus setAccess(String name, List<String> computers, List<String> networks) {
        synchronized (lock(name)) {
            InstanceSpec old = spec(name);
            List<String> checked = networks == null ? old.clientNetworks() : networks;
            InstanceSpec spec = new InstanceSpec(old.name(), old.cluster(), old.port(), old.role(), old.primaryHost(), old.primaryPort(),
                    old.superuser(), old.superuserPassword(), computers == null ? old.clientAddresses() : computers, checked);
            Path dataDir = dataDir(spec);
            try {
                writeSpec(spec);
                if (Files.exists(dataDir.resolve("PG_VERSION"))) {
                    Files.writeString(dataDir.resolve("pg_hba.conf"), PostgresConfig.hba(spec.clientAddresses(), spec.clientNetworks()));
                    user.own(dataDir.resolve("pg_hba.conf"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the access rules of " + name + ": " + e.getMessage(), e);
            }
            InstanceStatus now = status(spec);
            if (now.running()) {
                Command.run("kill", List.of("kill", "-s", "HUP", Long.toString(now.pid())), Map.of(), SLOW);
            }
            return status(spec);
        }
    }

    /**
     * Written beside and moved into place, so that a concurrent listing never reads half a spec; readable by the node
     * agent's user alone from its first byte, since it holds the superuser's password.
     */
    private void writeSpec(InstanceSpec spec) throws IOException {
        Path file = specFile(spec.cluster(), spec.name());
        Path tmp = file.resolveSibling("." + spec.name() + ".json.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, Json.MAPPER.writeValueAsString(spec));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * WAL segments of 4 MB rather than 16: a promotion copies the last segment onto the new timeline, and a standby
     * that follows it fetches again from that segment's start, both while commits wait; a quarter of the bytes
     * shortens a switch's pause, and 4 MB still keeps segment changes rare under heavy writing.
     */
    private static final int WAL_SEGMENT_MB = 4;

    /** The postmaster's shutdown modes and the signals that ask for them. */
    private static final Map<String, String> SHUTDOWN_SIGNALS = Map.of("smart", "TERM", "fast", "INT", "immediate", "QUIT");

    private void initdb(InstanceSpec spec, Path dataDir) throws IOException {
        Path pwfile = dataDir.resolveSibling("." + spec.name() + ".pw");
        Files.deleteIfExists(pwfile);
        Files.createFile(pwfile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))); // a secret from its first byte
        Files.writeString(pwfile, spec.superuserPassword() + "\n");
        user.own(pwfile);
        try {
            run("initdb", List.of(pg.tool("initdb").toString(), "-D", dataDir.toString(), "-U", spec.superuser(),
                    "--pwfile=" + pwfile, "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                    "--data-checksums", "--wal-segsize=" + WAL_SEGMENT_MB, "-E", "UTF8", "--locale=C"));
        } finally {
            Files.deleteIfExists(pwfile);
        }
    }

    /**
     * The instances' wal_sender_timeout is 2 s so that a lost standby is noticed at once; a base backup's WAL stream
     * answers the server's pings from a background process that a loaded computer (dozens of copies at cluster
     * creation) can keep from running that long, and the server would cut the copy off. This connection gets longer.
     */
    private static final String BASE_BACKUP_SENDER_TIMEOUT = "60s";

    private void baseBackup(InstanceSpec spec, Path dataDir) {
        run("pg_basebackup", List.of(pg.tool("pg_basebackup").toString(), "-h", spec.primaryHost(), "-p",
                Integer.toString(spec.primaryPort()), "-U", spec.superuser(), "-D", dataDir.toString(), "-X", "stream",
                "-c", "fast", "--no-password", "-d", "application_name=" + spec.name() + " connect_timeout=5 options='-c "
                + "wal_sender_timeout=" + BASE_BACKUP_SENDER_TIMEOUT + "'"),
                Map.of("PGPASSWORD", spec.superuserPassword()));
        try {
            makeStandby(dataDir); // the backup carries the primary's settings; this node gets its own
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void configure(InstanceSpec spec, Path dataDir) throws IOException {
        Path conf = dataDir.resolve("postgresql.conf");
        String include = "include_if_exists = '" + PostgresConfig.FILE + "'";
        if (!Files.readString(conf).contains(include)) {
            Files.writeString(conf, "\n" + include + "\n", StandardOpenOption.APPEND);
        }
        boolean leaseLibrary = pg.hasLibrary(PostgresBinaries.LEASE_LIBRARY);
        if (!leaseLibrary) {
            log.warn("{} runs without the lease check: {}.so is not installed in {} (./idcguard run as root installs it)",
                    spec.name(), PostgresBinaries.LEASE_LIBRARY, pg.pkglibdir());
        }
        Files.writeString(dataDir.resolve(PostgresConfig.FILE), PostgresConfig.settings(address, spec, dataDir.toString(), leaseLibrary));
        Files.writeString(dataDir.resolve("pg_hba.conf"), PostgresConfig.hba(spec.clientAddresses(), spec.clientNetworks()));
        user.own(dataDir.resolve(PostgresConfig.FILE), dataDir.resolve("pg_hba.conf"), conf);
        writePassfile(spec, dataDir);
    }

    /** The password file primary_conninfo names (libpq wants it readable by its owner only). */
    private void writePassfile(InstanceSpec spec, Path dataDir) throws IOException {
        Path passfile = Path.of(org.idcguard.model.StandbyConninfo.passfile(dataDir.toString(), spec.name()));
        org.idcguard.agent.home.AtomicFiles.write(passfile, org.idcguard.model.StandbyConninfo.passfileLine(spec.superuser(),
                spec.superuserPassword()), "rw-------");
        user.own(passfile);
    }

    private InstanceStatus start(InstanceSpec spec) {
        InstanceStatus now = status(spec);
        if (!now.running()) {
            Path dataDir = dataDir(spec);
            startingLease(dataDir);
            run("pg_ctl", List.of(pg.tool("pg_ctl").toString(), "start", "-D", dataDir.toString(), "-l",
                    logFile(spec).toString(), "-w", "-t", Long.toString(START_LIMIT.toSeconds())));
            log.info("Started {} on {}:{}", spec.name(), address, spec.port());
        }
        return status(spec);
    }

    /** The lease file the idcguard_lease library reads at every commit (see {@link LeaseGuard}). */
    /**
     * Writes the instance's lease deadline, under the instance's lock: a removal deleting the data directory, or a
     * copy replacing it, must not find a file appear in it meanwhile. An instance gone or not yet made gets none, nor
     * does a standby.
     */
    void writeLease(String name, long deadlineMonotonicMillis) throws IOException {
        synchronized (lock(name)) {
            Optional<InstanceSpec> spec = findSpec(name);
            Path dataDir = spec.map(this::dataDir).orElse(null);
            if (dataDir == null || !Files.exists(dataDir.resolve("PG_VERSION")) || Files.exists(dataDir.resolve("standby.signal"))) {
                return; // gone, not made yet, or a standby (a lease read late, sent before it was made one): it holds none
            }
            writeLease(dataDir.resolve(LEASE_FILE), deadlineMonotonicMillis);
        }
    }

    static final String LEASE_FILE = org.idcguard.model.RoleLease.FILE;

    /**
     * Writes a lease deadline (CLOCK_MONOTONIC milliseconds, the clock of System.nanoTime) atomically, owned by
     * PostgreSQL's user: pg_rewind and a base backup copy it along with the data directory and must be able to
     * overwrite it.
     */
    private void writeLease(Path file, long deadlineMonotonicMillis) throws IOException {
        Path tmp = file.resolveSibling(LEASE_FILE + ".tmp");
        Files.writeString(tmp, Long.toString(deadlineMonotonicMillis) + "\n");
        user.own(tmp);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Before a start. A standby holds no lease: a copied or rewound data directory brings its source's file along, and a
     * standby promoted later must take writes at once, before the manager's first lease for it arrives (no file: not
     * enforced). A primary that held a lease starts with it run out: the deadline was read on a clock that a reboot
     * restarts, and only the manager's next lease (within a probe interval) lets it acknowledge again.
     */
    private void startingLease(Path dataDir) {
        Path lease = dataDir.resolve(LEASE_FILE);
        try {
            if (Files.exists(dataDir.resolve("standby.signal"))) {
                Files.deleteIfExists(lease);
            } else if (Files.exists(lease)) {
                writeLease(lease, 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot set the lease file of " + dataDir.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private InstanceStatus status(InstanceSpec spec) {
        Path dataDir = dataDir(spec);
        long pid = postmasterPid(dataDir);
        boolean running = ProcessLiveness.running(pid);
        return new InstanceStatus(spec.name(), spec.cluster(), spec.port(), dataDir.toString(), running, running ? pid : 0,
                Files.exists(dataDir.resolve("standby.signal")), null);
    }

    private static long postmasterPid(Path dataDir) {
        try {
            Path pidFile = dataDir.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return 0;
            }
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
            return first.isEmpty() ? 0 : Long.parseLong(first);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void run(String what, List<String> command) {
        run(what, command, Map.of());
    }

    private void run(String what, List<String> command, Map<String, String> env) {
        Command.run(what, user.wrap(command), env, SLOW);
    }

    private void check(InstanceSpec spec) {
        if (spec.name() == null || !NAME.matcher(spec.name()).matches() || spec.cluster() == null
                || !NAME.matcher(spec.cluster().toLowerCase()).matches()) {
            throw new ApiFailure(400, "An instance name is lower-case letters, digits, '-' and '_'.", "name");
        }
        if (spec.port() < 1024 || spec.port() > 65535) {
            throw new ApiFailure(400, "The port must be between 1024 and 65535.", "port");
        }
        if (spec.isStandby() && (spec.primaryHost() == null || spec.primaryPort() < 1)) {
            throw new ApiFailure(400, "A standby needs the address and port of its primary.", "primaryHost");
        }
        if (spec.superuserPassword() == null || !spec.superuserPassword().matches("[A-Za-z0-9]{16,128}")) {
            throw new ApiFailure(400, "The superuser password must be 16 to 128 letters and digits.", "superuserPassword");
        }
    }

    private InstanceSpec spec(String name) {
        return findSpec(name).orElseThrow(() -> ApiFailure.notFound("There is no instance " + name + " on " + address + "."));
    }

    private Optional<InstanceSpec> findSpec(String name) {
        return find(name).flatMap(s -> readSpec(specFile(s.cluster(), name)));
    }

    private Optional<InstanceSpec> readSpec(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Json.MAPPER.readValue(file.toFile(), InstanceSpec.class)) : Optional.empty();
        } catch (IOException e) {
            log.warn("Unreadable instance spec {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    private Path dataDir(InstanceSpec spec) {
        return root.resolve(spec.cluster()).resolve(spec.name());
    }

    private Path specFile(String cluster, String name) {
        return root.resolve(cluster).resolve(name + ".json");
    }

    private Path logFile(InstanceSpec spec) {
        return root.resolve(spec.cluster()).resolve(spec.name() + ".log");
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name, n -> new Object());
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(PgInstances::deleteQuietly);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteIfEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                Files.deleteIfExists(dir);
            }
        } catch (IOException ignored) {
            // a folder that cannot be listed is left alone
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + p + ": " + e.getMessage(), e);
        }
    }
}
