package org.idcguard.agent.manager.server;

import org.idcguard.agent.manager.*;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.http.ApiServer;
import org.idcguard.agent.manager.cluster.ClusterService;
import org.idcguard.agent.manager.ha.BackupCityPromotion;
import org.idcguard.agent.manager.ha.DrSettingsStore;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.model.DrSettings;
import org.idcguard.agent.manager.ha.HaLoop;
import org.idcguard.agent.manager.ha.HaSettingsStore;
import org.idcguard.agent.manager.ha.PlannedSwitch;
import org.idcguard.model.SwitchRequest;
import org.idcguard.agent.manager.task.TaskRunner;
import org.idcguard.agent.manager.task.TaskStore;
import org.idcguard.model.CityCatalog;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.HaSettings;
import org.idcguard.model.Idc;
import org.idcguard.model.IdcBinding;
import org.idcguard.model.IdcRules;
import org.idcguard.model.JoinCode;
import org.idcguard.model.NewComputer;
import org.idcguard.agent.tls.CertificateAuthority;
import org.idcguard.agent.tls.Pem;
import org.idcguard.agent.tls.TlsIdentity;

/** The manager process: metadata store, watchers and the HTTP API (docs/architecture.md). */
public final class ManagerServer implements AutoCloseable {
    /** How often every node agent is asked for its facts. */
    public static final long COMPUTER_PROBE_MILLIS = 1000;
    /** How often the acting manager looks for prepared parts of cross-shard transactions to end. */
    static final long IN_DOUBT_PASS_MILLIS = 1000;
    /** New alerts reach the forwarding command within this. */
    private static final long ALERT_FORWARD_MILLIS = 500;
    private final AgentHome home;
    private final MetadataStore store;
    private final IdcService idcs;
    private final ComputerService computers;
    private final EventLog events;
    private final ComputerWatch watch;
    /** Ends the prepared parts of cross-shard transactions a failure left on the shards (acting manager only). */
    private final org.idcguard.agent.manager.cluster.InDoubtResolver inDoubt;
    private final Javalin http;
    private final TaskRunner tasks;
    private final ClusterService clusters;
    private final HaSettingsStore haSettings;
    private final HaLoop ha;
    private final DrSettingsStore drSettings;
    private final PlannedSwitch switches;
    private final BackupCityPromotion backupCity;
    private final org.idcguard.agent.manager.alert.AlertStore alerts;
    private final org.idcguard.agent.manager.alert.AlertForwarder alertForwarder;
    private final DrillReports drills;
    private final org.idcguard.agent.manager.metrics.ManagerMetrics metrics;
    private final IdcFaults idcFaults;
    private final DrillService drillRuns;
    private final ManagerAddresses addresses;
    private final Enrolment enrolment;
    private final CertificateAuthority ca;
    private final TlsIdentity identity;
    /** Null for a sole manager. */
    private final org.idcguard.agent.manager.quorum.ManagerQuorum quorum;
    private final java.nio.file.Path urlFile;
    private final org.idcguard.agent.manager.access.Operators operators;
    private final org.idcguard.agent.manager.access.AccessGuard access;
    private final org.idcguard.agent.manager.access.Approvals approvals;

    private ManagerServer(AgentHome home, MetadataStore store, String token, ManagerAddresses addresses, int port,
                          Consumer<String> restartNodeAgent, org.idcguard.agent.manager.quorum.ManagerQuorum quorum,
                          TlsIdentity memberIdentity, java.nio.file.Path urlFile) {
        this.home = home;
        this.store = store;
        this.addresses = addresses;
        this.quorum = quorum;
        this.urlFile = urlFile;
        this.events = new EventLog(store);
        this.ca = CertificateAuthority.loadOrCreate(home);
        org.idcguard.agent.manager.SecretColumns.useKey(ca.derivedKey("idcguard metadata secrets v1"));
        if (memberIdentity == null) {
            this.identity = ca.issue(CertificateAuthority.MANAGER_NAME, addresses.own(), List.of("localhost"));
            identity.save(home.managerIdentityFile());
        } else {
            this.identity = memberIdentity; // saved already, for ZooKeeper
        }
        this.enrolment = new Enrolment(store, events, ca, new org.idcguard.agent.manager.Certificates(store, events));
        NodeAgentClient agents = new NodeAgentClient(identity, quorum == null ? NodeAgentClient.Leadership.SOLE
                : new NodeAgentClient.Leadership() {
                    @Override
                    public boolean mayAct() {
                        return quorum.mayAct();
                    }

                    @Override
                    public long epoch() {
                        return Math.max(quorum.epoch(), 0);
                    }
                });
        this.idcs = new IdcService(store, events, new IdcRules(CityCatalog.bundled()));
        var certificates = new org.idcguard.agent.manager.Certificates(store, events);
        this.computers = new ComputerService(store, events, agents, certificates);
        this.watch = new ComputerWatch(store, events, agents, certificates, new org.idcguard.agent.manager.CertificateRenewals(
                store, events, agents, ca, certificates, org.idcguard.agent.manager.CertificateRenewals.renewWithinFromEnvironment()));
        this.tasks = new TaskRunner(new TaskStore(store));
        this.haSettings = new HaSettingsStore(store, events);
        this.drSettings = new DrSettingsStore(store, events);
        this.ha = new HaLoop(store, events, agents, haSettings, drSettings);
        // every manager of the quorum may lead one day: pg_hba lets them all in, and a partition drill cuts them all off
        List<String> managerAddresses = java.util.stream.Stream.concat(addresses.own().stream(), quorum == null ? java.util.stream.Stream.<String>empty()
                : quorum.memberHosts().stream()).distinct().toList();
        this.clusters = new ClusterService(store, events, agents, tasks, managerAddresses, ha::observed, certificates);
        this.inDoubt = new org.idcguard.agent.manager.cluster.InDoubtResolver(store, events);
        this.switches = new PlannedSwitch(store, events, agents, tasks, ha);
        this.backupCity = new BackupCityPromotion(store, events, agents, tasks, ha);
        this.alerts = new org.idcguard.agent.manager.alert.AlertStore(store, events);
        this.alertForwarder = new org.idcguard.agent.manager.alert.AlertForwarder(alerts);
        this.drills = new DrillReports(store, events);
        this.idcFaults = new IdcFaults(computers, agents, events, managerAddresses);
        this.drillRuns = new DrillService(clusters, computers, events, tasks, drills, restartNodeAgent, switches, idcFaults);
        this.metrics = new org.idcguard.agent.manager.metrics.ManagerMetrics(clusters, ha, events, alerts, drills);
        this.operators = new org.idcguard.agent.manager.access.Operators(store, events, System.getProperty("user.name"));
        this.access = new org.idcguard.agent.manager.access.AccessGuard(token, home.scrapeToken(), operators);
        this.approvals = new org.idcguard.agent.manager.access.Approvals(store, events);
        approvals.runner(org.idcguard.agent.manager.access.Approvals.CLUSTER_DELETION, (cluster, request) -> clusters.delete(cluster));
        approvals.runner(org.idcguard.agent.manager.access.Approvals.DR_PROMOTION, (cluster, request) ->
                backupCity.start(cluster, ApiServer.parse(request, DrPromoteRequest.class)));
        this.http = ApiServer.create(access.before(), identity, false, addresses.listen(), port);
        // Prometheus scrapes with the scrape identity's token (its authorization.credentials_file): /metrics and no more
        http.before("/metrics", access.before());
        http.after(access.after());
        if (quorum != null) {
            followersRedirectWrites();
        }
        routes();
    }

    /** A manager that cannot start node agents (embedded in a test): its drills cannot restore a powered-off IDC. */
    public static ManagerServer start(AgentHome home, String host, int port) {
        return start(home, host, port, address -> {
            throw new IllegalStateException("This manager cannot start the node agent of " + address + ".");
        });
    }

    /**
     * Opens the store, starts the API on host:port (0 picks a free port) and writes manager.url. Drills the manager
     * runs start powered-off node agents again with restartNodeAgent.
     */
    public static ManagerServer start(AgentHome home, String host, int port, Consumer<String> restartNodeAgent) {
        return start(home, new ManagerAddresses(host, null), port, restartNodeAgent);
    }

    public static ManagerServer start(AgentHome home, ManagerAddresses addresses, int port, Consumer<String> restartNodeAgent) {
        home.create();
        String token = home.token();
        String host = addresses.listen();
        MetadataStore store = MetadataStore.open(home.metadataDir());
        ManagerServer server;
        try {
            server = new ManagerServer(home, store, token, addresses, port, restartNodeAgent, null, null, home.managerUrlFile());
            server.http.start();
        } catch (RuntimeException e) {
            store.close();
            throw new IllegalStateException("The manager cannot listen on " + host + ":" + port + ": "
                    + rootMessage(e) + ".", e);
        }
        server.act();
        server.writeUrl(server.urlFile);
        return server;
    }

    /**
     * A manager of a quorum: its ZooKeeper peer (unless the ensemble is external), its own copy of the metadata under
     * {@code members/ID} of the home, and the API; it follows the log until it is elected, and only then acts. The
     * home's CA and token are the quorum's (every member must hold the same); the leader writes the home's
     * manager.url, so a client of this home finds it there.
     */
    public static ManagerServer startMember(AgentHome home, ManagerAddresses addresses, int port, Consumer<String> restartNodeAgent,
                                            org.idcguard.agent.manager.quorum.QuorumOptions options) {
        home.create();
        String token = home.token();
        java.nio.file.Path memberDir = home.root().resolve("members").resolve(Integer.toString(options.member()));
        // the identity comes first: ZooKeeper's channels are TLS with it
        TlsIdentity identity = CertificateAuthority.loadOrCreate(home).issue(CertificateAuthority.MANAGER_NAME, addresses.own(),
                List.of("localhost"));
        var tls = org.idcguard.agent.manager.quorum.QuorumTls.write(identity, home.tlsDir().resolve("manager-" + options.member() + ".p12"),
                home.tlsDir().resolve("ca-trust.p12"));
        var local = org.idcguard.agent.manager.quorum.Ensemble.readLocal(memberDir);
        if (local.isPresent() && !new java.util.HashSet<>(local.get().members()).equals(new java.util.HashSet<>(options.members()))) {
            throw new org.idcguard.agent.manager.quorum.Ensemble.Superseded("Member " + options.member() + " was re-formed into "
                    + "generation " + local.get().generation() + " of the quorum with members "
                    + org.idcguard.agent.manager.quorum.QuorumMember.format(local.get().members())
                    + ", so it starts with that --quorum list only.");
        }
        // a member left out of a re-formed quorum finds it here, before its peer can help the old ensemble to a majority
        org.idcguard.agent.manager.quorum.Ensemble.checkNotSuperseded(options.members(), options.member(),
                local.map(org.idcguard.agent.manager.quorum.Ensemble::generation).orElse(0L), tls);
        var peer = options.embedded() ? org.idcguard.agent.manager.quorum.EmbeddedZooKeeper.start(options.members(),
                options.member(), memberDir.resolve("zookeeper"), tls) : null;
        MetadataStore store = MetadataStore.open(memberDir.resolve("metadata"));
        var quorum = org.idcguard.agent.manager.quorum.ManagerQuorum.connect(options.connectString(), options.member(),
                options.members(), store, tls, local);
        org.idcguard.agent.manager.cluster.PgSession.gateChanges(quorum::mayAct, quorum::epoch);
        ManagerServer server;
        try {
            server = new ManagerServer(home, store, token, addresses, port, restartNodeAgent, quorum, identity,
                    memberDir.resolve("manager.url"));
            server.peer = peer;
            server.http.start();
        } catch (RuntimeException e) {
            quorum.close();
            store.close();
            if (peer != null) {
                peer.close();
            }
            throw new IllegalStateException("The manager cannot listen on " + addresses.listen() + ":" + port + ": "
                    + rootMessage(e) + ".", e);
        }
        server.writeUrl(server.urlFile);
        try {
            quorum.start(new org.idcguard.model.ManagerInfo(options.member(), server.url(), options.idc() == null ? "" : options.idc(),
                    ProcessHandle.current().pid(), "", "", 0), server::lead, peer == null ? () -> "external" : peer::state);
        } catch (org.idcguard.agent.manager.quorum.Ensemble.Superseded e) {
            server.close();
            throw e;
        } catch (Exception e) {
            server.close();
            throw new IllegalStateException("The manager cannot join the quorum: " + rootMessage(e) + ".", e);
        }
        return server;
    }

    private org.idcguard.agent.manager.quorum.EmbeddedZooKeeper peer;

    /** Starts what only an acting manager runs: the watchers, the HA loop, and resuming interrupted work. */
    private void act() {
        clusters.sealClearPasswords();
        watch.start(COMPUTER_PROBE_MILLIS);
        inDoubt.start(IN_DOUBT_PASS_MILLIS);
        alertForwarder.start(ALERT_FORWARD_MILLIS);
        clusters.recover();
        ha.start();
    }

    /** Elected, with its copy caught up: it acts, and tells clients of this home where the leader is. */
    private void lead() {
        var self = quorum.self();
        events.record("manager.elected", "manager " + self.id(), "Manager " + self.id() + (self.idc().isEmpty() ? "" : " (" + self.idc() + ")")
                + " leads the quorum from epoch " + quorum.epoch() + ", its copy of the metadata caught up with the log.");
        raiseEpochOnNodes();
        quorum.reformedNow().ifPresent(e -> events.record("manager.reformed", "manager " + self.id(), "Manager " + self.id()
                + " leads generation " + e.generation() + " of the quorum, re-formed with members " + e.memberIds()
                + " in place of " + String.join(", ", e.formerMembers().stream().map(m -> Integer.toString(m.id())).toList())
                + " because " + e.reason() + "; the members left out are refused when they return, and node agents refuse "
                + "every epoch of the old ensemble."));
        act();
        identity.save(home.managerIdentityFile());
        writeUrl(home.managerUrlFile());
    }

    /** Fences the deposed leader's SQL out of every node now, in the background (NodeEpoch; each change checks anyway). */
    private void raiseEpochOnNodes() {
        var repository = new org.idcguard.agent.manager.cluster.ClusterRepository();
        List<Map.Entry<org.idcguard.agent.manager.cluster.ClusterRecord, org.idcguard.agent.manager.cluster.NodeRecord>> all =
                store.inTransaction(c -> {
                    List<Map.Entry<org.idcguard.agent.manager.cluster.ClusterRecord, org.idcguard.agent.manager.cluster.NodeRecord>> nodes =
                            new java.util.ArrayList<>();
                    for (var cluster : repository.all(c)) {
                        repository.nodes(c, cluster.name()).forEach(n -> nodes.add(Map.entry(cluster, n)));
                    }
                    return nodes;
                });
        org.idcguard.agent.manager.cluster.NodeEpoch.raiseEverywhere(all);
    }

    /**
     * On a follower, every change is answered with 307 to the same path on the leader (503 while none is elected):
     * only the leader writes, and its copy is the one the log is made from.
     */
    private void followersRedirectWrites() {
        http.before(ctx -> {
            String method = ctx.method().name();
            if (quorum.leading() || method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
                return;
            }
            redirectToLeader(ctx);
        });
        http.exception(org.idcguard.agent.manager.journal.Journal.NotLeading.class, (e, ctx) -> {
            try {
                redirectToLeader(ctx);
            } catch (org.idcguard.agent.http.ApiFailure failure) {
                ctx.status(failure.status()).json(Map.of("error", failure.getMessage()));
            }
        });
    }

    private void redirectToLeader(Context ctx) {
        String leader = quorum.leaderUrl().filter(url -> !url.equals(url())).orElseThrow(() -> new org.idcguard.agent.http.ApiFailure(503,
                "No manager leads at this moment; try again in a few seconds.", null));
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        ctx.header("Location", leader + ctx.path() + query);
        throw new org.idcguard.agent.http.ApiFailure(307, "This manager follows; the leader is at " + leader + ".", null);
    }

    /** The body of {@code PUT /api/clusters/{name}/clients}. */
    record ClientsBody(List<String> clients) {
        List<String> clientsOrEmpty() {
            return clients == null ? List.of() : clients;
        }
    }

    /** The API description served at /api/openapi.json; a test keeps it equal to {@link #endpoints()}. */
    public static String openApi() {
        try (java.io.InputStream in = ManagerServer.class.getResourceAsStream("openapi.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("The API description is missing from the build.", e);
        }
    }

    /** Every route this manager serves, as "METHOD /path" with Javalin's {param} syntax (OpenAPI's too). */
    public List<String> endpoints() {
        return http.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream().map(e -> e.getEndpoint())
                .filter(e -> java.util.Set.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(e.getMethod().name()))
                .map(e -> e.getMethod().name() + " " + e.getPath()).sorted().toList();
    }

    private void routes() {
        http.get("/api/health", ctx -> ctx.json(Map.of("status", "ok", "role", "manager",
                "lead", quorum == null || quorum.leading() ? "leader" : "follower",
                "epoch", quorum == null ? 0 : quorum.leading() ? quorum.epoch() : -1)));
        http.get("/api/managers", ctx -> ctx.json(quorum == null ? List.of(new org.idcguard.model.ManagerInfo(1, url(), "",
                ProcessHandle.current().pid(), "leader", "none", store.appliedPosition())) : quorum.managers()));
        // enrolment is outside /api: a computer enrolling has no token, its one-time code is its proof
        http.get("/enrol/ca", ctx -> ctx.contentType("application/x-pem-file").result(Pem.write(ca.certificate())));
        http.post("/enrol", ctx -> ctx.json(enrolment.enrol(ApiServer.body(ctx, JoinCode.Request.class))));
        http.post("/api/join-codes", ctx -> ctx.status(201).json(enrolment.newCode(ctx.body().isBlank() ? null
                : ApiServer.body(ctx, JoinCode.Wanted.class).address())));
        http.get("/api/openapi.json", ctx -> ctx.contentType("application/json").result(openApi()));
        http.get("/metrics", ctx -> ctx.contentType(org.idcguard.agent.manager.metrics.ManagerMetrics.contentType())
                .result(metrics.scrape()));
        http.post("/api/login", ctx -> {
            var login = ApiServer.body(ctx, org.idcguard.model.LoginRequest.class);
            ctx.json(operators.login(login.name(), login.password(), login.code()));
        });
        http.post("/api/logout", ctx -> {
            operators.logout(org.idcguard.agent.manager.access.AccessGuard.bearerOf(ctx));
            ctx.status(204);
        });
        http.get("/api/whoami", ctx -> {
            var actor = org.idcguard.agent.manager.actor.Actor.current().orElseThrow();
            ctx.json(new org.idcguard.model.Whoami(actor.name(), actor.role() == null ? "scrape" : actor.role().word()));
        });
        http.get("/api/operators", ctx -> ctx.json(operators.list()));
        http.post("/api/operators", ctx -> {
            var wanted = ApiServer.body(ctx, org.idcguard.model.NewOperator.class);
            ctx.status(201).json(operators.add(wanted.name(), wanted.role()));
        });
        http.delete("/api/operators/{name}", ctx -> {
            operators.remove(ctx.pathParam("name"));
            ctx.status(204);
        });
        http.get("/api/settings/access", ctx -> ctx.json(approvals.settings()));
        http.put("/api/settings/access", ctx -> ctx.json(approvals.update(ApiServer.body(ctx, org.idcguard.model.AccessSettings.class))));
        http.get("/api/approvals", ctx -> ctx.json(approvals.list()));
        http.post("/api/approvals/{id}/approve", ctx -> ctx.status(202).json(approvals.approve(idPath(ctx, "approval"))));
        http.post("/api/approvals/{id}/reject", ctx -> ctx.json(approvals.reject(idPath(ctx, "approval"))));
        http.get("/api/audit", ctx -> {
            var query = new EventLog.AuditQuery(ctx.queryParam("operator"), ctx.queryParam("subject"), ctx.queryParam("kind"),
                    longParam(ctx, "since", 0), longParam(ctx, "until", Long.MAX_VALUE),
                    (int) Math.max(1, Math.min(10_000, longParam(ctx, "limit", 1000))));
            var found = events.audit(query);
            if ("csv".equals(ctx.queryParam("format"))) {
                ctx.contentType("text/csv; charset=utf-8").result(org.idcguard.model.AuditCsv.write(found));
            } else {
                ctx.json(found);
            }
        });
        http.post("/api/clusters/{name}/reveal", ctx -> ctx.json(clusters.reveal(ctx.pathParam("name"))));
        http.get("/api/idcs", ctx -> ctx.json(idcs.list()));
        http.post("/api/idcs", ctx -> ctx.status(201).json(idcs.add(ApiServer.body(ctx, Idc.class))));
        http.get("/api/idcs/{name}", ctx -> ctx.json(idcs.get(ctx.pathParam("name"))));
        http.put("/api/idcs/{name}", ctx -> ctx.json(idcs.update(ctx.pathParam("name"), ApiServer.body(ctx, Idc.class))));
        http.delete("/api/idcs/{name}", ctx -> {
            idcs.delete(ctx.pathParam("name"));
            ctx.status(204);
        });
        http.post("/api/idcs/{name}/faults", ctx -> ctx.json(idcFaults.apply(ctx.pathParam("name"),
                ApiServer.body(ctx, IdcFaults.Request.class))));
        http.delete("/api/idcs/{name}/faults", ctx -> ctx.json(Map.of("notReached", idcFaults.restore(ctx.pathParam("name")))));
        http.get("/api/computers", ctx -> ctx.json(computers.list()));
        http.post("/api/computers", ctx -> ctx.status(201).json(computers.add(ApiServer.body(ctx, NewComputer.class))));
        http.get("/api/computers/{address}", ctx -> ctx.json(computers.get(ctx.pathParam("address"))));
        http.put("/api/computers/{address}", ctx ->
                ctx.json(computers.bind(ctx.pathParam("address"), ApiServer.body(ctx, IdcBinding.class).idc())));
        http.delete("/api/computers/{address}", ctx -> {
            computers.delete(ctx.pathParam("address"));
            ctx.status(204);
        });
        http.post("/api/clusters", ctx -> {
            ClusterRequest request = ApiServer.body(ctx, ClusterRequest.class);
            if ("true".equals(ctx.queryParam("dryRun"))) {
                ctx.json(clusters.plan(request));
            } else {
                ctx.status(202).json(clusters.create(request));
            }
        });
        http.get("/api/clusters", ctx -> ctx.json(clusters.list()));
        http.get("/api/clusters/{name}", ctx -> ctx.json(org.idcguard.agent.manager.actor.Actor.current()
                .filter(a -> a.role() != null && a.role().mayDo(org.idcguard.agent.manager.actor.Role.OPERATOR)).isPresent()
                ? clusters.detail(ctx.pathParam("name")) : clusters.detail(ctx.pathParam("name")).withPasswordMasked()));
        http.get("/api/clusters/{name}/route", ctx -> ctx.json(clusters.route(ctx.pathParam("name"), ctx.queryParam("bind"), ca)));
        http.get("/api/clusters/{name}/clients", ctx -> ctx.json(clusters.clientNetworks(ctx.pathParam("name"))));
        http.put("/api/clusters/{name}/clients", ctx -> ctx.json(clusters.setClientNetworks(ctx.pathParam("name"),
                ApiServer.body(ctx, ClientsBody.class).clientsOrEmpty())));
        http.post("/api/clusters/{name}/start", ctx -> ctx.json(clusters.start(ctx.pathParam("name"))));
        http.delete("/api/clusters/{name}", ctx -> {
            String cluster = ctx.pathParam("name");
            ctx.status(202).json(approvals.guard(org.idcguard.agent.manager.access.Approvals.CLUSTER_DELETION, cluster, null,
                    "the deletion of cluster " + cluster, () -> clusters.clientNetworks(cluster), () -> clusters.delete(cluster)));
        });
        http.get("/api/clusters/{name}/switch", ctx -> ctx.json(switches.plan(ctx.pathParam("name"), ctx.queryParam("to"))));
        http.post("/api/clusters/{name}/switch", ctx -> {
            SwitchRequest request = ApiServer.body(ctx, SwitchRequest.class);
            if ("true".equals(ctx.queryParam("dryRun"))) {
                ctx.json(switches.plan(ctx.pathParam("name"), request.to()));
            } else {
                ctx.status(202).json(switches.start(ctx.pathParam("name"), request.to()));
            }
        });
        http.get("/api/clusters/{name}/dr", ctx -> ctx.json(backupCity.status(ctx.pathParam("name"))));
        http.post("/api/clusters/{name}/dr", ctx -> ctx.status(202).json(clusters.addDr(ctx.pathParam("name"),
                ApiServer.body(ctx, org.idcguard.model.AddDrRequest.class))));
        http.get("/api/clusters/{name}/dr/promote", ctx -> ctx.json(backupCity.plan(ctx.pathParam("name"), ctx.queryParam("to"),
                ctx.queryParam("mode"))));
        http.post("/api/clusters/{name}/dr/promote", ctx -> {
            DrPromoteRequest request = ApiServer.body(ctx, DrPromoteRequest.class);
            if ("true".equals(ctx.queryParam("dryRun"))) {
                ctx.json(backupCity.plan(ctx.pathParam("name"), request.to(), request.modeOrDefault()));
            } else {
                String cluster = ctx.pathParam("name");
                ctx.status(202).json(approvals.guard(org.idcguard.agent.manager.access.Approvals.DR_PROMOTION, cluster,
                        ApiServer.write(request), "the DR promotion of " + cluster + " to " + request.to() + " ("
                                + request.modeOrDefault() + ")", () -> backupCity.plan(cluster, request.to(), request.modeOrDefault()),
                        () -> backupCity.start(cluster, request)));
            }
        });
        http.get("/api/tasks", ctx -> ctx.json(clusters.tasks()));
        http.get("/api/tasks/{id}", ctx -> ctx.json(clusters.task(idPath(ctx, "task"))));
        http.get("/api/settings/ha", ctx -> ctx.json(haSettings.current()));
        http.put("/api/settings/ha", ctx -> ctx.json(haSettings.update(ApiServer.body(ctx, HaSettings.class))));
        http.get("/api/settings/dr", ctx -> ctx.json(drSettings.current()));
        http.put("/api/settings/dr", ctx -> ctx.json(drSettings.update(ApiServer.body(ctx, DrSettings.class))));
        http.get("/api/intents", ctx -> ctx.json(ha.openIntents()));
        http.get("/api/events", ctx -> ctx.json(events.after(longParam(ctx, "after", 0), 1000)));
        http.get("/api/alerts", ctx -> ctx.json(alerts.list("true".equals(ctx.queryParam("open")), 500)));
        http.post("/api/alerts/{id}/ack", ctx -> ctx.json(alerts.ack(idPath(ctx, "alert"))));
        http.get("/api/settings/alerts", ctx -> ctx.json(alerts.settings()));
        http.get("/api/drills", ctx -> ctx.json(drills.list(ctx.queryParam("cluster"), 500)));
        http.post("/api/drills", ctx -> ctx.status(201).json(drills.add(ApiServer.body(ctx, org.idcguard.model.DrillReport.class))));
        http.get("/api/drills/running", ctx -> ctx.json(drillRuns.live()));
        http.post("/api/clusters/{name}/drills", ctx -> ctx.status(202).json(drillRuns.start(ctx.pathParam("name"),
                ApiServer.body(ctx, org.idcguard.model.DrillRequest.class))));
        http.get("/api/drills/{id}", ctx -> ctx.json(drills.get(idPath(ctx, "drill report"))));
        http.put("/api/settings/alerts", ctx -> ctx.json(alerts.update(ApiServer.body(ctx, org.idcguard.model.AlertSettings.class))));
    }

    /** The {id} of the path as a number; one that is not a number names nothing there is ("There is no task x."). */
    private static long idPath(Context ctx, String noun) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw org.idcguard.agent.http.ApiFailure.notFound("There is no " + noun + " " + org.idcguard.model.Names.shorten(ctx.pathParam("id")) + ".");
        }
    }

    private static long longParam(Context ctx, String name, long fallback) {
        String value = ctx.queryParam(name);
        try {
            return value == null ? fallback : Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new org.idcguard.agent.http.ApiFailure(400, "The parameter '" + name + "' must be a whole number.", name);
        }
    }

    public String url() {
        return "https://" + addresses.urlHost() + ":" + http.port();
    }

    /** Written last and atomically, so that a reader finds either no file or a manager that answers. */
    private void writeUrl(java.nio.file.Path file) {
        try {
            Files.createDirectories(file.getParent());
            var tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, url() + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        alertForwarder.close();
        ha.close();
        watch.close();
        inDoubt.close();
        tasks.close();
        http.stop();
        if (quorum != null) {
            quorum.close();
        }
        store.close();
        if (peer != null) {
            peer.close();
        }
        try {
            Files.deleteIfExists(urlFile);
        } catch (IOException ignored) {
            // a stale url file is harmless: readers check that a manager answers there
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
