package org.idcguard.agent.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Duration;
import java.util.Optional;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.client.ManagerHttp;
import org.idcguard.model.ApiException;

/**
 * The command line's client of the manager API of a home, on the one transport ({@link ManagerHttp}): it finds the
 * leader (waiting out an election) and turns a refusal into a {@link CliFailure} with the manager's sentence. Paths
 * come from {@link org.idcguard.client.ApiPaths}, which encodes every name.
 */
final class ManagerClient {
    /** How long a command waits for a quorum of managers to elect a leader before it gives up. */
    private static final long ELECTION_WAIT_MILLIS = 20_000;
    private final ManagerHttp http;
    /** The reason this command gives (one command a process: --reason, else $IDCGUARD_REASON). */
    private static volatile String reason = System.getenv("IDCGUARD_REASON");

    private ManagerClient(AgentHome home, String baseUrl) {
        // the logged-in operator's session (./idcguard login), else the home's token: the local admin's
        this.http = new ManagerHttp(baseUrl, home.credential(), trust(home).orElseThrow(() -> new CliFailure("The home " + home.root()
                + " has no CA certificate of the managers.")))
                .followingLeader(() -> home.layout().managerCandidates().size() > 1 ? leaderWithin(home, ELECTION_WAIT_MILLIS)
                        : Optional.empty())
                .withReason(reason);
    }

    /** The reason every change of this command is recorded with. */
    static void reason(String why) {
        reason = why;
    }

    /** TLS that trusts only the manager's own CA, whose certificate the home holds: the token goes nowhere else. */
    private static Optional<javax.net.ssl.SSLContext> trust(AgentHome home) {
        if (!java.nio.file.Files.isRegularFile(home.caCertificateFile())) {
            return Optional.empty();
        }
        return Optional.of(org.idcguard.model.ManagerTrust.sslContext(home.caCertificateFile()));
    }

    /** A client of the manager of this home (in a quorum: its leader, waiting for an election), which must answer. */
    static ManagerClient of(AgentHome home) {
        String url = leaderWithin(home, home.layout().managerCandidates().size() > 1 ? ELECTION_WAIT_MILLIS : 0)
                .orElseThrow(() -> new CliFailure(home.layout().managerCandidates().size() > 1
                        ? "No manager of the quorum leads for " + home.root() + ": see './idcguard manager list'."
                        : "No manager answers for " + home.root() + ": start one with './idcguard manager' or './idcguard demo up'."));
        return new ManagerClient(home, url);
    }

    /** A client of one manager at url, leader or not (to ask it for the quorum's state). */
    static ManagerClient at(AgentHome home, String url) {
        return new ManagerClient(home, url);
    }

    /** The URL of this home's manager if one answers there: the leader, when the home names a quorum. */
    static Optional<String> answering(AgentHome home) {
        return leaderWithin(home, 0);
    }

    /** The first manager of the home that answers as the leader, asking again until the wait is over. */
    private static Optional<String> leaderWithin(AgentHome home, long waitMillis) {
        long deadline = System.currentTimeMillis() + waitMillis;
        while (true) {
            for (String url : home.layout().managerCandidates()) {
                if ("leader".equals(lead(url, home))) {
                    return Optional.of(url);
                }
            }
            if (System.currentTimeMillis() >= deadline) {
                return Optional.empty();
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    static boolean healthy(String healthUrl, AgentHome home) {
        String base = healthUrl.endsWith(org.idcguard.client.ApiPaths.HEALTH)
                ? healthUrl.substring(0, healthUrl.length() - org.idcguard.client.ApiPaths.HEALTH.length()) : healthUrl;
        return lead(base, home) != null;
    }

    /** "leader" or "follower" as the manager at url says, or null when none answers there. */
    private static String lead(String url, AgentHome home) {
        return health(url, home).map(h -> String.valueOf(h.getOrDefault("lead", "leader"))).orElse(null);
    }

    /** What the manager at url answers to {@code GET /api/health} (its lead and epoch), or empty when none answers there. */
    static Optional<java.util.Map<String, Object>> health(String url, AgentHome home) {
        Optional<javax.net.ssl.SSLContext> trust = trust(home);
        if (trust.isEmpty()) {
            return Optional.empty();
        }
        // health is open to every caller (it says only who leads): a workstation with a session and no token asks it too
        try (ManagerHttp one = new ManagerHttp(url, home.layout().credential().orElse(null), trust.get(), Duration.ofSeconds(2))) {
            return Optional.of(one.get(org.idcguard.client.ApiPaths.HEALTH, new TypeReference<java.util.Map<String, Object>>() { }));
        } catch (ApiException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    String baseUrl() {
        return http.baseUrl();
    }

    <T> T get(String path, TypeReference<T> type) {
        return call("GET", path, null, type);
    }

    <T> T post(String path, Object body, TypeReference<T> type) {
        return call("POST", path, body, type);
    }

    <T> T put(String path, Object body, TypeReference<T> type) {
        return call("PUT", path, body, type);
    }

    void delete(String path) {
        call("DELETE", path, null, null);
    }

    <T> T delete(String path, TypeReference<T> type) {
        return call("DELETE", path, null, type);
    }

    private <T> T call(String method, String path, Object body, TypeReference<T> type) {
        try {
            return http.call(method, path, body, type);
        } catch (ApiException e) {
            throw new CliFailure(e.getMessage());
        }
    }
}
