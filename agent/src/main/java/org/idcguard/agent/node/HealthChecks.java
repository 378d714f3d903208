package org.idcguard.agent.node;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.ServerConnector;
import org.idcguard.agent.http.ApiServer;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.model.HealthPorts;
import org.idcguard.model.InstanceStatus;
import org.idcguard.model.RoleLease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health checks of this computer's instances in Patroni's convention, for HAProxy: each instance gets a port of
 * its own ({@link HealthPorts}) on which
 * <ul>
 *   <li>{@code GET /primary} answers 200 only when the instance runs as a primary (no standby.signal), the manager's
 *       latest record names it primary, and either that record's lease still holds or a standby its commits wait for
 *       (one named in its own synchronous_standby_names) streams from it. A primary the manager deposed by a switch
 *       answers 503 at once (the new record arrives within 100 ms); one that thaws after a freeze answers 503 because
 *       its lease lapsed and its standbys were detached from it by the takeover. A primary whose manager alone is cut
 *       off keeps its synchronous standbys, so it keeps answering 200: losing the manager never takes the writes away
 *       from the applications. A primary IDC cut off from the backup IDC and the manager keeps only its local and DR
 *       standbys, which stream asynchronously: they do not count, because the manager may have promoted a backup-IDC
 *       standby meanwhile, and HAProxy inside the cut-off IDC must stop sending clients to the old primary.</li>
 *   <li>{@code GET /replica} answers 200 when it runs as a standby whose WAL receiver is streaming;</li>
 *   <li>{@code GET /health} answers 200 when PostgreSQL runs, whatever its role.</li>
 * </ul>
 * The ports speak TLS and want a client certificate of the manager's CA, like the node agent's own port.
 */
final class HealthChecks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);
    private final String address;
    private final PgInstances instances;
    private final Javalin http;
    private final org.idcguard.agent.http.ServedIdentity identity;
    private final org.idcguard.agent.tls.RevokedCertificates revoked;
    private volatile RoleLease lease = new RoleLease(0, 0, java.util.List.of());
    private long leaseEpoch;
    private final Map<Integer, ServerConnector> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "health-ports");
        t.setDaemon(true);
        return t;
    });

    HealthChecks(String address, PgInstances instances, Javalin http, org.idcguard.agent.http.ServedIdentity identity,
                 org.idcguard.agent.tls.RevokedCertificates revoked) {
        this.revoked = revoked;
        this.address = address;
        this.instances = instances;
        this.http = http;
        this.identity = identity;
        for (String check : Set.of("primary", "replica", "health")) {
            http.get("/" + check, ctx -> answer(ctx, check));
            http.head("/" + check, ctx -> answer(ctx, check));
        }
    }

    /** Opens and closes the instances' health ports as instances come and go (checked every second). */
    void start() {
        timer.scheduleWithFixedDelay(this::reconcile, 0, 1, TimeUnit.SECONDS);
    }

    /** Keeps the newest record: a renewal read late from a socket (after a freeze) never replaces a newer one. */
    /**
     * A lease from the manager; an older one read late is dropped. A newer epoch's lease is newer whatever its issue
     * time says: a new leader's wall clock may lag its predecessor's.
     */
    synchronized void grant(RoleLease lease, long epoch) {
        if (lease.supersedes(this.lease, leaseEpoch, epoch)) {
            this.lease = lease;
            leaseEpoch = Math.max(leaseEpoch, epoch);
        }
    }

    private void answer(Context ctx, String check) {
        int instancePort = HealthPorts.instancePort(ctx.req().getLocalPort());
        Optional<InstanceStatus> found = instances == null ? Optional.empty()
                : instances.list().stream().filter(i -> i.port() == instancePort).findFirst();
        if (found.isEmpty()) {
            ctx.status(404).json(Map.of("error", "No instance of this computer answers health checks on this port."));
            return;
        }
        InstanceStatus i = found.get();
        RoleLease record = lease;
        boolean recorded = record.primaries().contains(i.name());
        boolean leased = record.holds(i.name(), System.currentTimeMillis());
        boolean streaming = i.running() && i.standby() && childTitled(i.pid(), "walreceiver streaming");
        boolean runningPrimary = i.running() && !i.standby();
        List<Sender> senders = runningPrimary && recorded && !leased && "primary".equals(check) ? senders(i) : List.of();
        boolean ok = switch (check) {
            case "primary" -> primaryAnswers(runningPrimary, recorded, leased, senders);
            case "replica" -> streaming;
            default -> i.running();
        };
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", i.name());
        body.put("state", i.running() ? "running" : "stopped");
        body.put("role", !i.running() ? "unknown" : i.standby() ? "replica" : "primary");
        body.put("recorded", recorded ? "primary" : "not primary");
        body.put("lease", leased ? "holds" : "lapsed");
        if ("primary".equals(check) && runningPrimary && recorded && !leased) {
            body.put("confirmed_by", senders.stream().filter(HealthChecks::waitedFor).map(Sender::standby).sorted().toList());
        }
        if (i.standby()) {
            body.put("replication_state", streaming ? "streaming" : "not streaming");
        }
        ctx.status(ok ? 200 : 503).json(body);
    }

    /** A WAL sender of a primary as pg_stat_replication shows it: the standby's application_name (its node name). */
    record Sender(String standby, String state, String syncState) {
    }

    /**
     * The {@code /primary} decision. Within the lease the manager's record is enough. After it, only a streaming
     * standby that a commit waits for confirms that no takeover happened: a takeover detaches the synchronous standbys
     * first, and only they can have been promoted. An asynchronous one (a local standby, a DR-city standby) streams on
     * from a primary cut off with its IDC, so it proves nothing; with an empty synchronous_standby_names nothing
     * confirms the primary.
     *
     * @param senders the primary's WAL senders; read only once the lease lapsed
     */
    static boolean primaryAnswers(boolean runningPrimary, boolean recorded, boolean leased, List<Sender> senders) {
        if (!runningPrimary || !recorded) {
            return false;
        }
        return leased || senders.stream().anyMatch(HealthChecks::waitedFor);
    }

    /**
     * Whether a commit of the primary waits for this sender's standby: PostgreSQL marks a streaming standby named in
     * the running synchronous_standby_names sync, quorum (IDC Guard's ANY 1) or potential (FIRST, next in line), and
     * every other one async.
     */
    static boolean waitedFor(Sender s) {
        return "streaming".equals(s.state()) && Set.of("sync", "quorum", "potential").contains(s.syncState());
    }

    /**
     * The primary's WAL senders, read from pg_stat_replication over one short session, and only when the process
     * titles show one streaming (no session at all otherwise). A title names a sender's user and client address but
     * not its standby's application_name, so the titles cannot tell a synchronous standby from an asynchronous one;
     * nor could the sync set carried in the lease or read from postgresql.auto.conf be matched to them by address (a
     * host may connect from any of its addresses; here every loopback client is 127.0.0.1). pg_stat_replication
     * judges by the running synchronous_standby_names, whatever last set it. This runs only after the lease lapsed,
     * i.e. only while the manager is unreachable. A session that fails counts as no confirmation: 503.
     */
    private List<Sender> senders(InstanceStatus i) {
        if (!childTitled(i.pid(), "walsender", "streaming")) {
            return List.of();
        }
        try (java.sql.Connection db = instances.quickSession(i.name()); java.sql.Statement st = db.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT application_name, state, sync_state FROM pg_stat_replication")) {
            List<Sender> found = new java.util.ArrayList<>();
            while (rs.next()) {
                found.add(new Sender(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
            return found;
        } catch (java.sql.SQLException | RuntimeException e) {
            log.debug("{}: its WAL senders cannot be read: {}", i.name(), e.getMessage());
            return List.of();
        }
    }

    /**
     * Whether the postmaster has a child whose process title holds every word given: a WAL receiver or a WAL sender
     * that streams says so in its title, which costs no connection to PostgreSQL.
     */
    static boolean childTitled(long postmasterPid, String... words) {
        return ProcessHandle.of(postmasterPid).map(p -> p.children().anyMatch(c -> {
            String title = title(c.pid());
            return java.util.Arrays.stream(words).allMatch(title::contains);
        })).orElse(false);
    }

    private static String title(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private void reconcile() {
        try {
            Set<Integer> wanted = instances == null ? Set.of()
                    : instances.list().stream().map(i -> HealthPorts.of(i.port())).collect(Collectors.toSet());
            for (Integer port : wanted) {
                if (!open.containsKey(port)) {
                    try {
                        open.put(port, ApiServer.addTlsPort(http, identity, revoked, address, port));
                    } catch (Exception e) {
                        log.warn("The health port {}:{} cannot be opened: {}", address, port, e.getMessage());
                    }
                }
            }
            for (Map.Entry<Integer, ServerConnector> e : new HashMap<>(open).entrySet()) {
                if (!wanted.contains(e.getKey())) {
                    ApiServer.removePort(http, e.getValue());
                    open.remove(e.getKey());
                }
            }
        } catch (RuntimeException e) {
            log.warn("Reconciling the health ports failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
