package org.idcguard.agent.manager;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.tls.TlsIdentity;
import java.util.List;
import java.util.Map;
import org.idcguard.model.ApiError;
import org.idcguard.model.ComputerFacts;
import org.idcguard.model.FollowRequest;
import org.idcguard.model.InstanceSpec;
import org.idcguard.model.InstanceStatus;

/** The manager's side of the node-agent protocol. */
public final class NodeAgentClient {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private final HttpClient http;
    private final Leadership leadership;

    /** Calls node agents as the manager: mutual TLS with the manager's certificate, trusting only our CA. */
    public NodeAgentClient(TlsIdentity manager) {
        this(manager, Leadership.SOLE);
    }

    /** The same for a manager of a quorum: every request carries its epoch, and no command leaves while it may not act. */
    public NodeAgentClient(TlsIdentity manager, Leadership leadership) {
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1)
                .sslContext(manager.sslContext(revoked)).build();
        this.leadership = leadership;
    }

    /**
     * The certificates the managers revoked, refused as a node agent's at every handshake of this client too: a
     * removed computer's key, stolen, cannot pose as the node agent at its address and be handed specs and leases.
     * Kept up to date by the computer watch.
     */
    public org.idcguard.agent.tls.RevokedCertificates revoked() {
        return revoked;
    }

    private final org.idcguard.agent.tls.RevokedCertificates revoked = org.idcguard.agent.tls.RevokedCertificates.inMemory();

    /** Whether this manager may command now, and the epoch (fencing token) its commands carry; 0 for a sole manager. */
    public interface Leadership {
        Leadership SOLE = new Leadership() {
            @Override
            public boolean mayAct() {
                return true;
            }

            @Override
            public long epoch() {
                return 0;
            }
        };

        boolean mayAct();

        long epoch();
    }

    private HttpRequest.Builder withEpoch(HttpRequest.Builder request) {
        long epoch = leadership.epoch();
        return epoch > 0 ? request.header(org.idcguard.agent.node.EpochFence.HEADER, Long.toString(epoch)) : request;
    }

    /** A client acting as the manager of this home, whose identity it reads there; empty before the manager's first start. */
    public static java.util.Optional<NodeAgentClient> ofManagerHome(org.idcguard.agent.home.AgentHome home) {
        return TlsIdentity.load(home.managerIdentityFile()).map(NodeAgentClient::new);
    }

    /** True when a node agent answers at the endpoint. */
    public boolean answers(String endpoint) {
        try {
            factsNow(endpoint);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Asks the node agent at the endpoint for its host's facts; fails with a sentence when it does not answer. */
    public CompletableFuture<ComputerFacts> facts(String endpoint) {
        return probe(endpoint).thenApply(Probe::facts);
    }

    /**
     * What one call for the facts shows: the facts, the certificate the node agent presented (null if the TLS session
     * does not say), and the digest of the revocation list it holds (null from an older node agent).
     */
    public record Probe(ComputerFacts facts, java.security.cert.X509Certificate certificate, String revocations) {
    }

    public CompletableFuture<Probe> probe(String endpoint) {
        HttpRequest request = withEpoch(HttpRequest.newBuilder(URI.create(endpoint + "/api/facts")))
                .timeout(TIMEOUT)
                .GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new NodeAgentUnreachable("The node agent at " + endpoint + " answered HTTP " + response.statusCode() + ".");
            }
            ComputerFacts facts;
            try {
                facts = Json.MAPPER.readValue(response.body(), ComputerFacts.class);
            } catch (IOException e) {
                throw new NodeAgentUnreachable("The node agent at " + endpoint + " answered something that is not its facts.");
            }
            java.security.cert.X509Certificate certificate = response.sslSession().map(session -> {
                try {
                    var chain = session.getPeerCertificates();
                    return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x ? x : null;
                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                    return null;
                }
            }).orElse(null);
            return new Probe(facts, certificate,
                    response.headers().firstValue(org.idcguard.agent.tls.RevokedCertificates.HEADER).orElse(null));
        });
    }

    /** Asks the node agent for a certificate request for a new key of its own (to renew its certificate). */
    public String certificateRequest(String endpoint) {
        return String.valueOf(call(endpoint, "POST", "/api/certificate/request", null, TIMEOUT, Map.class).get("request"));
    }

    /** Hands the node agent the certificate signed for its request; it presents it from its next handshake. */
    public void installCertificate(String endpoint, String pem) {
        call(endpoint, "PUT", "/api/certificate", Map.of("certificate", pem), TIMEOUT, Map.class);
    }

    /** Gives the node agent the managers' list of revoked certificates (the leading manager only). */
    public CompletableFuture<Void> sendRevocations(String endpoint, List<String> serials) {
        if (!leadership.mayAct()) {
            return CompletableFuture.failedFuture(new IllegalStateException("not the leading manager"));
        }
        try {
            HttpRequest request = withEpoch(HttpRequest.newBuilder(URI.create(endpoint + "/api/revocations"))).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(serials))).build();
            return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(r -> {
                if (r.statusCode() / 100 != 2) {
                    throw new java.util.concurrent.CompletionException(new IOException("the node agent refused the list: HTTP " + r.statusCode()));
                }
                return null;
            });
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Blocking form of {@link #facts}, with the cause turned into one sentence. */
    public ComputerFacts factsNow(String endpoint) {
        return probeNow(endpoint).facts();
    }

    /** Blocking form of {@link #probe}, with the cause turned into one sentence. */
    public Probe probeNow(String endpoint) {
        try {
            return probe(endpoint).join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof NodeAgentUnreachable u) {
                throw u;
            }
            String why = cause instanceof HttpTimeoutException ? "it did not answer in time"
                    : cause instanceof java.net.ConnectException ? "the connection was refused" : String.valueOf(cause.getMessage());
            throw new NodeAgentUnreachable("No node agent answers at " + endpoint + ": " + why + ".");
        }
    }

    /**
     * Renews the node agent's role lease without waiting for it (a renewal lost is replaced by the next one); nothing
     * is sent while this manager may not act.
     */
    /** Sends a lease; the future completes once the node agent has taken it, and fails when it did not. */
    public CompletableFuture<Void> grantRoles(String endpoint, org.idcguard.model.RoleLease lease) {
        if (!leadership.mayAct()) {
            return CompletableFuture.failedFuture(new IllegalStateException("not the leading manager: no lease is sent"));
        }
        try {
            HttpRequest request = withEpoch(HttpRequest.newBuilder(URI.create(endpoint + "/api/roles"))).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(lease))).build();
            return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(r -> {
                if (r.statusCode() / 100 != 2) {
                    throw new java.util.concurrent.CompletionException(new IOException("the node agent refused the lease: HTTP " + r.statusCode()));
                }
                return null;
            });
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Runs (creating if needed) an instance on the node agent's computer; waits as long as a base backup takes. */
    public InstanceStatus ensureInstance(String endpoint, InstanceSpec spec) {
        return call(endpoint, "PUT", "/api/instances/" + spec.name(), spec, Duration.ofMinutes(10), InstanceStatus.class);
    }

    /** Stops and removes an instance and its data; removing one that is gone succeeds. */
    public void removeInstance(String endpoint, String name) {
        call(endpoint, "DELETE", "/api/instances/" + name, null, Duration.ofMinutes(2), Void.class);
    }

    public InstanceStatus stopInstance(String endpoint, String name, String mode) {
        return call(endpoint, "POST", "/api/instances/" + name + "/stop?mode=" + mode, null, Duration.ofMinutes(2), InstanceStatus.class);
    }

    public InstanceStatus startInstance(String endpoint, String name) {
        return call(endpoint, "POST", "/api/instances/" + name + "/start", null, Duration.ofMinutes(3), InstanceStatus.class);
    }

    /** Makes the instance a standby of the primary (rewinding it first when asked) and starts it; waits as long as a rewind takes. */
    public InstanceStatus follow(String endpoint, String name, FollowRequest request) {
        return call(endpoint, "POST", "/api/instances/" + name + "/follow", request, Duration.ofMinutes(10), InstanceStatus.class);
    }

    public InstanceStatus setClientNetworks(String endpoint, String name, List<String> networks) {
        return call(endpoint, "PUT", "/api/instances/" + name + "/client-networks", networks, TIMEOUT, InstanceStatus.class);
    }

    /** Replaces the computers the instance lets in (replication included); pg_hba is reloaded. */
    public InstanceStatus setComputers(String endpoint, String name, List<String> computers) {
        return call(endpoint, "PUT", "/api/instances/" + name + "/computers", computers, TIMEOUT, InstanceStatus.class);
    }

    /** Asks the node agent to apply a drill fault to its own computer. */
    public org.idcguard.model.NodeFault.Struck fault(String endpoint, org.idcguard.model.NodeFault fault) {
        return call(endpoint, "POST", "/api/faults", fault, Duration.ofSeconds(10), org.idcguard.model.NodeFault.Struck.class);
    }

    public void restoreFault(String endpoint) {
        call(endpoint, "DELETE", "/api/faults", null, Duration.ofSeconds(10), Void.class);
    }

    public void stopAll(String endpoint) {
        call(endpoint, "POST", "/api/instances/stop-all?mode=fast", null, Duration.ofMinutes(3), InstanceStatus[].class);
    }

    public List<InstanceStatus> instances(String endpoint) {
        InstanceStatus[] all = call(endpoint, "GET", "/api/instances", null, TIMEOUT, InstanceStatus[].class);
        return List.of(all);
    }

    private <T> T call(String endpoint, String method, String path, Object body, Duration timeout, Class<T> type) {
        if (!method.equals("GET") && !leadership.mayAct()) {
            throw new NodeAgentRefused("This manager does not lead now: it sends no command to " + endpoint + ".");
        }
        try {
            HttpRequest request = withEpoch(HttpRequest.newBuilder(URI.create(endpoint + path))).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 400) {
                throw new NodeAgentRefused(refusal(endpoint, response));
            }
            return type == Void.class || response.body().isEmpty() ? null : Json.MAPPER.readValue(response.body(), type);
        } catch (IOException e) {
            throw new NodeAgentUnreachable("The node agent at " + endpoint + " did not answer: " + e.getMessage() + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeAgentUnreachable("Interrupted while waiting for the node agent at " + endpoint + ".");
        }
    }

    private static String refusal(String endpoint, HttpResponse<String> response) {
        try {
            return Json.MAPPER.readValue(response.body(), ApiError.class).error();
        } catch (IOException e) {
            return "The node agent at " + endpoint + " answered HTTP " + response.statusCode() + ".";
        }
    }

    /** A node agent that answered but refused or failed; the message is its sentence. */
    public static final class NodeAgentRefused extends RuntimeException {
        public NodeAgentRefused(String message) {
            super(message);
        }
    }

    /** A node agent that did not answer, or answered wrongly. */
    public static final class NodeAgentUnreachable extends RuntimeException {
        public NodeAgentUnreachable(String message) {
            super(message);
        }
    }
}
