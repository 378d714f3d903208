package org.idcguard.agent.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.http.Json;
import org.idcguard.model.ApiError;

/** The command line's client of the manager API of a home. Refusals become {@link CliFailure}s with the manager's sentence. */
final class ManagerClient {
    /** How long a command waits for a quorum of managers to elect a leader before it gives up. */
    private static final long ELECTION_WAIT_MILLIS = 20_000;
    private final HttpClient http;
    private final AgentHome home;
    private volatile String baseUrl;
    private final String token;

    private ManagerClient(HttpClient http, AgentHome home, String baseUrl, String token) {
        this.http = http;
        this.home = home;
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** TLS that trusts only the manager's own CA, whose certificate the home holds: the token goes nowhere else. */
    private static Optional<HttpClient> httpFor(AgentHome home) {
        if (!java.nio.file.Files.isRegularFile(home.caCertificateFile())) {
            return Optional.empty();
        }
        return Optional.of(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1)
                .sslContext(org.idcguard.model.ManagerTrust.sslContext(home.caCertificateFile())).build());
    }

    /** A client of the manager of this home (in a quorum: its leader, waiting for an election), which must answer. */
    static ManagerClient of(AgentHome home) {
        String url = leaderWithin(home, home.layout().managerCandidates().size() > 1 ? ELECTION_WAIT_MILLIS : 0)
                .orElseThrow(() -> new CliFailure(home.layout().managerCandidates().size() > 1
                        ? "No manager of the quorum leads for " + home.root() + ": see './idcguard manager list'."
                        : "No manager answers for " + home.root() + ": start one with './idcguard manager' or './idcguard demo up'."));
        return new ManagerClient(httpFor(home).orElseThrow(), home, url, home.token());
    }

    /** A client of one manager at url, leader or not (to ask it for the quorum's state). */
    static ManagerClient at(AgentHome home, String url) {
        return new ManagerClient(httpFor(home).orElseThrow(() -> new CliFailure("The home " + home.root()
                + " has no CA certificate of the managers.")), home, url, home.token());
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
        return health(healthUrl, home).isPresent();
    }

    /** "leader" or "follower" as the manager at url says, or null when none answers there. */
    private static String lead(String url, AgentHome home) {
        return health(url + "/api/health", home).map(body -> {
            try {
                return Json.MAPPER.readTree(body).path("lead").asText("leader");
            } catch (IOException e) {
                return null;
            }
        }).orElse(null);
    }

    private static Optional<String> health(String healthUrl, AgentHome home) {
        Optional<HttpClient> http = httpFor(home);
        if (http.isEmpty() || home.layout().token().isEmpty()) {
            return Optional.empty();
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(healthUrl)).timeout(Duration.ofSeconds(2))
                    .header("Authorization", "Bearer " + home.layout().token().get()).GET().build();
            HttpResponse<String> response = http.get().send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    String baseUrl() {
        return baseUrl;
    }

    <T> T get(String path, TypeReference<T> type) {
        return read(send("GET", path, null), type);
    }

    <T> T post(String path, Object body, TypeReference<T> type) {
        return read(send("POST", path, body), type);
    }

    <T> T put(String path, Object body, TypeReference<T> type) {
        return read(send("PUT", path, body), type);
    }

    void delete(String path) {
        send("DELETE", path, null);
    }

    <T> T delete(String path, TypeReference<T> type) {
        return read(send("DELETE", path, null), type);
    }

    private HttpRequest request(String method, String path, Object body) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : json(body)).build();
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Sends to the leader. A follower's 307 names the leader: the request goes there once. A manager that refuses the
     * connection has not seen the request, so it goes once to the leader a quorum elects meanwhile; a request that
     * may have arrived (a timeout) is never sent twice.
     */
    private String send(String method, String path, Object body) {
        try {
            HttpResponse<String> response = sendOnce(method, path, body);
            if (response.statusCode() == 307) {
                String location = response.headers().firstValue("Location").orElse("");
                if (!location.endsWith(path)) {
                    throw new CliFailure(errorSentence(response));
                }
                baseUrl = location.substring(0, location.length() - path.length());
                response = sendOnce(method, path, body);
            }
            if (response.statusCode() >= 400 || response.statusCode() == 307) {
                throw new CliFailure(errorSentence(response));
            }
            return response.body();
        } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
            String refused = baseUrl;
            Optional<String> leader = home.layout().managerCandidates().size() > 1 ? leaderWithin(home, ELECTION_WAIT_MILLIS)
                    : Optional.empty();
            if (leader.isEmpty() || leader.get().equals(refused)) {
                throw new CliFailure("The manager at " + refused + " did not answer: " + e.getMessage() + ".");
            }
            baseUrl = leader.get();
            return send(method, path, body);
        } catch (IOException e) {
            throw new CliFailure("The manager at " + baseUrl + " did not answer: " + e.getMessage() + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("Interrupted while waiting for the manager.");
        }
    }

    private HttpResponse<String> sendOnce(String method, String path, Object body) throws IOException, InterruptedException {
        return http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static String errorSentence(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readValue(response.body(), ApiError.class).error();
        } catch (IOException e) {
            return "The manager answered HTTP " + response.statusCode() + ".";
        }
    }

    private static <T> T read(String body, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(body, type);
        } catch (IOException e) {
            throw new CliFailure("The manager answered something unexpected: " + e.getMessage());
        }
    }
}
