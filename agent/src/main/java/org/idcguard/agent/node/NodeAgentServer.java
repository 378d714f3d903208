package org.idcguard.agent.node;

import io.javalin.Javalin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.http.ApiServer;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.model.InstanceSpec;
import org.idcguard.model.NewComputer;

/**
 * The node agent of one computer: bound to that computer's address, it reports the host's facts and runs
 * the PostgreSQL instances the manager asks for. It owns the PostgreSQL processes of its host and nothing else.
 */
public final class NodeAgentServer implements AutoCloseable {
    private final Javalin http;
    private final HealthChecks health;
    private final LeaseGuard leases;

    private NodeAgentServer(Javalin http, HealthChecks health, LeaseGuard leases) {
        this.http = http;
        this.health = health;
        this.leases = leases;
    }

    /** The file, in the computer's instances folder, of the certificates the managers revoked. */
    static final String REVOKED_FILE = "revoked-certificates";

    /** The node agent of a computer at a loopback address or in the manager's home: no enrolment needed. */
    public static NodeAgentServer start(AgentHome home, String address, int port) {
        return start(home, address, port, null, null, false);
    }

    /**
     * Starts the node agent; with a manager URL and join code it first enrols (once), else it serves with the
     * certificate it holds. Only the manager that enrolled it can call it: mutual TLS under that manager's CA.
     */
    public static NodeAgentServer start(AgentHome home, String address, int port, String managerUrl, String joinCode,
                                        boolean allowDrills) {
        home.create();
        TlsIdentity identity = NodeIdentity.forNode(home, address, managerUrl == null ? java.util.Optional.empty()
                : java.util.Optional.of(new NodeIdentity.Join(managerUrl, joinCode)));
        OsUser user = OsUser.forThisProcess();
        Path instancesRoot = instancesRoot(home, address, user);
        HostFacts facts = new HostFacts(address, instancesRoot);
        PgInstances instances = PostgresBinaries.find().map(pg -> new PgInstances(address, instancesRoot, pg, user)).orElse(null);
        // certificates the managers revoked (a removed computer's, a replaced router certificate): refused at every handshake
        org.idcguard.agent.tls.RevokedCertificates revoked = org.idcguard.agent.tls.RevokedCertificates.load(
                instancesRoot.resolve(REVOKED_FILE));
        org.idcguard.agent.http.ServedIdentity served = new org.idcguard.agent.http.ServedIdentity(identity);
        Javalin http = ApiServer.create(ApiServer.managerCertificate(), served, true, revoked, address, port);
        EpochFence fence = new EpochFence(instancesRoot.resolve("manager.epoch"));
        // before anything else: a deposed leader's command is refused before it changes a thing
        http.before("/api/*", ctx -> fence.admit(ctx.header(EpochFence.HEADER), ctx.method() != io.javalin.http.HandlerType.GET));
        // The handshake refuses a revoked certificate; a TLS session resumed (the JDK's cache, TLS 1.3 tickets) or a
        // connection kept alive from before the list arrived skips that check, so every request is checked again.
        http.before(ctx -> {
            Object chain = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
            if (chain instanceof java.security.cert.X509Certificate[] certificates && certificates.length > 0
                    && revoked.isRevoked(certificates[0])) {
                ctx.header("Connection", "close");
                throw new ApiFailure(403, "This certificate was revoked.", null);
            }
        });
        // every answer says which revocation list this node holds, so the manager sends the list only when it differs
        http.after("/api/*", ctx -> ctx.header(org.idcguard.agent.tls.RevokedCertificates.HEADER, revoked.digest()));
        http.put("/api/revocations", ctx -> {
            try {
                revoked.replace(java.util.List.of(ApiServer.body(ctx, String[].class)));
            } catch (IllegalArgumentException e) {
                throw new ApiFailure(400, e.getMessage(), "serials");
            }
            ctx.header(org.idcguard.agent.tls.RevokedCertificates.HEADER, revoked.digest());
            ctx.status(204);
        });
        CertificateRenewal renewal = new CertificateRenewal(address, home.nodeIdentityFile(address), served);
        http.post("/api/certificate/request", ctx -> ctx.json(Map.of("request", renewal.request())));
        http.put("/api/certificate", ctx -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> body = ApiServer.body(ctx, Map.class);
            var installed = renewal.install(String.valueOf(body.get("certificate")));
            ctx.json(Map.of("serial", org.idcguard.agent.tls.RevokedCertificates.serial(installed),
                    "notAfter", installed.getNotAfter().toInstant().toString()));
        });
        http.get("/api/health", ctx -> ctx.json(Map.of("status", "ok", "role", "node", "address", address)));
        http.get("/api/facts", ctx -> ctx.json(facts.read()));
        http.get("/api/instances", ctx -> ctx.json(instances == null ? java.util.List.of() : instances.list()));
        http.put("/api/instances/{name}", ctx -> {
            InstanceSpec spec = ApiServer.body(ctx, InstanceSpec.class);
            if (!ctx.pathParam("name").equals(spec.name())) {
                throw new ApiFailure(400, "The instance name in the path and in the body differ.", "name");
            }
            ctx.json(need(instances, address).ensure(spec));
        });
        http.post("/api/instances/stop-all", ctx -> ctx.json(need(instances, address).stopAll(stopMode(ctx.queryParam("mode")))));
        http.post("/api/instances/{name}/start", ctx -> ctx.json(need(instances, address).start(ctx.pathParam("name"))));
        http.post("/api/instances/{name}/stop", ctx -> ctx.json(need(instances, address)
                .stop(ctx.pathParam("name"), stopMode(ctx.queryParam("mode")))));
        http.post("/api/instances/{name}/follow", ctx -> ctx.json(need(instances, address)
                .follow(ctx.pathParam("name"), ApiServer.body(ctx, org.idcguard.model.FollowRequest.class))));
        http.put("/api/instances/{name}/client-networks", ctx -> ctx.json(need(instances, address)
                .setClientNetworks(ctx.pathParam("name"), java.util.List.of(ApiServer.body(ctx, String[].class)))));
        http.put("/api/instances/{name}/computers", ctx -> ctx.json(need(instances, address)
                .setComputers(ctx.pathParam("name"), java.util.List.of(ApiServer.body(ctx, String[].class)))));
        HealthChecks health = new HealthChecks(address, instances, http, served, revoked);
        LeaseGuard leases = instances == null ? null : new LeaseGuard(instances);
        http.put("/api/roles", ctx -> {
            org.idcguard.model.RoleLease lease = ApiServer.body(ctx, org.idcguard.model.RoleLease.class);
            long epoch = leaseEpoch(ctx.header(EpochFence.HEADER));
            health.grant(lease, epoch);
            if (leases != null) {
                leases.grant(lease, epoch);
            }
            ctx.status(204);
        });
        DrillFaults faults = new DrillFaults(address, allowDrills || NodeIdentity.isLoopback(address), instances);
        http.post("/api/faults", ctx -> ctx.json(faults.apply(ApiServer.body(ctx, org.idcguard.model.NodeFault.class))));
        http.delete("/api/faults", ctx -> {
            faults.restore();
            ctx.status(204);
        });
        http.delete("/api/instances/{name}", ctx -> {
            need(instances, address).remove(ctx.pathParam("name"));
            ctx.status(204);
        });
        http.exception(Command.CommandFailed.class, (e, ctx) ->
                ctx.status(500).json(new org.idcguard.model.ApiError(e.getMessage(), null)));
        try {
            http.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("The node agent cannot listen on " + address + ":" + port
                    + " (is another agent already serving this computer?).", e);
        }
        health.start();
        if (leases != null) {
            leases.start();
        }
        return new NodeAgentServer(http, health, leases);
    }

    private static PgInstances need(PgInstances instances, String address) {
        if (instances == null) {
            throw new ApiFailure(409, "PostgreSQL 13 or later server binaries were not found on " + address + ".", null);
        }
        return instances;
    }

    private static String stopMode(String mode) {
        if (mode == null) {
            return "fast";
        }
        if (!Set.of("smart", "fast", "immediate").contains(mode)) {
            throw new ApiFailure(400, "The stop mode is smart, fast or immediate.", "mode");
        }
        return mode;
    }

    /**
     * Where this computer's instances live: under the home, unless the agent runs as root and the PostgreSQL
     * user cannot reach into the home (e.g. /root is private); then under /var/lib/idcguard, one folder per home.
     */
    static Path instancesRoot(AgentHome home, String address, OsUser user) {
        Path root = instancesRootPath(home, address, user);
        try {
            Files.createDirectories(root);
            if (user.isRoot()) {
                user.own(root);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create " + root + ": " + e.getMessage(), e);
        }
        return root;
    }

    /** Where the instances of the computer at this address live for this home (nothing is created). */
    public static Path instancesRootPath(AgentHome home, String address) {
        return instancesRootPath(home, address, OsUser.forThisProcess());
    }

    private static Path instancesRootPath(AgentHome home, String address, OsUser user) {
        return user.isRoot() && !reachableByOthers(home.root())
                ? Path.of("/var/lib/idcguard", shortHash(home.root().toString()), address) : home.nodeDir(address);
    }

    private static boolean reachableByOthers(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            try {
                if (Files.exists(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int defaultPort() {
        return NewComputer.DEFAULT_AGENT_PORT;
    }

    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        health.close();
        if (leases != null) {
            leases.close();
        }
        http.stop();
    }

    /** The epoch a lease was sent under (the fence has admitted it already), 0 when none was given. */
    private static long leaseEpoch(String header) {
        try {
            return header == null ? 0 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
