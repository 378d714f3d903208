package org.idcguard.agent.manager;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.idcguard.agent.tls.CertificateAuthority;
import org.idcguard.agent.tls.Pem;
import org.idcguard.model.Computer;

/**
 * Renews a node agent's certificate before it expires, without enrolling it again: when a probe shows a certificate
 * with less than {@link #renewWithin} left, the leading manager asks the node agent for a request for a new key, signs
 * it, hands the certificate back, records it, and revokes the one it replaces (events {@code certificate.renewed} and
 * {@code certificate.revoked}). One renewal per computer at a time; one that fails is tried again at a later probe.
 */
public final class CertificateRenewals {
    /** By default a node certificate (two years) is renewed 60 days before it expires. */
    public static final Duration DEFAULT_RENEW_WITHIN = Duration.ofDays(60);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CertificateRenewals.class);
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final CertificateAuthority ca;
    private final Certificates certificates;
    private final Duration renewWithin;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    public CertificateRenewals(MetadataStore store, EventLog events, NodeAgentClient agents, CertificateAuthority ca,
                               Certificates certificates, Duration renewWithin) {
        this.store = store;
        this.events = events;
        this.agents = agents;
        this.ca = ca;
        this.certificates = certificates;
        this.renewWithin = renewWithin;
    }

    /** From the environment ({@code IDCGUARD_CERT_RENEW_WITHIN}, an ISO-8601 duration such as P60D), else the default. */
    public static Duration renewWithinFromEnvironment() {
        String set = System.getenv("IDCGUARD_CERT_RENEW_WITHIN");
        return set == null || set.isBlank() ? DEFAULT_RENEW_WITHIN : Duration.parse(set.strip());
    }

    /** Starts a renewal of the computer's certificate if it expires within the window and none runs yet. */
    public void renewIfDue(Computer computer, X509Certificate presented) {
        if (presented == null || presented.getNotAfter().getTime() - System.currentTimeMillis() > renewWithin.toMillis()
                || !inFlight.add(computer.address())) {
            return;
        }
        if (certificates.isRevoked(presented)) {
            // renewed already: a connection kept alive from before still shows the old certificate
            inFlight.remove(computer.address());
            return;
        }
        CompletableFuture.runAsync(() -> renew(computer, presented)).whenComplete((done, e) -> {
            inFlight.remove(computer.address());
            if (e != null) {
                log.warn("Renewing the certificate of {} failed (tried again at a later probe): {}", computer.address(),
                        e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            }
        });
    }

    private void renew(Computer computer, X509Certificate presented) {
        String request = agents.certificateRequest(computer.agentEndpoint());
        X509Certificate renewed = ca.signRequest(request, computer.address());
        // Recorded before the node takes it, under the computer's row lock: a removal either sees this certificate
        // (and revokes it) or has happened, and then the certificate is never handed out.
        boolean stillThere = store.inTransaction(c -> {
            if (!ComputerRepository.lockForUpdate(c, computer.address())) {
                return false;
            }
            certificates.record(c, renewed, Certificates.NODE, computer.address());
            return true;
        });
        if (!stillThere) {
            return;
        }
        agents.installCertificate(computer.agentEndpoint(), Pem.write(renewed));
        store.inTransaction(c -> {
            events.record(c, "certificate.renewed", computer.address(), "The certificate of computer " + computer.address()
                    + " was renewed in place (the one it replaces expires " + presented.getNotAfter().toInstant() + "; the new one "
                    + "expires " + renewed.getNotAfter().toInstant() + ").");
            certificates.revokeHolder(c, Certificates.NODE, computer.address(), renewed,
                    "computer " + computer.address() + " holds a renewed certificate.");
            return null;
        });
    }
}
