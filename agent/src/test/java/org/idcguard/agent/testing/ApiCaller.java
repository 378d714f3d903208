package org.idcguard.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.idcguard.agent.http.Json;

/** Raw HTTP calls against a running manager, so tests see exactly the status and body a script would. */
public final class ApiCaller {
    private final Path home;

    public ApiCaller(Path home) {
        this.home = home;
    }

    public record Answer(int status, String body) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String error() {
            return json().path("error").asText(null);
        }
    }

    public Path home() {
        return home;
    }

    public String token() {
        return read(home.resolve("manager.token"));
    }

    public Answer get(String path) {
        return send("GET", path, null, token());
    }

    /** A GET with the token given instead of the home's. */
    public Answer getWithToken(String path, String token) {
        return send("GET", path, null, token);
    }

    public Answer post(String path, String body) {
        return send("POST", path, body, token());
    }

    public Answer put(String path, String body) {
        return send("PUT", path, body, token());
    }

    public Answer delete(String path) {
        return send("DELETE", path, null, token());
    }

    public boolean managerAnswers() {
        try {
            return get("/api/health").status() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Sends to the manager of the home; with a quorum (manager.urls), to its leader: a request refused by a manager
     * that is gone, or redirected by a follower, goes to the leader found meanwhile (waiting out an election).
     */
    public Answer send(String method, String path, String body, String bearer) {
        if (!Files.exists(home.resolve("manager.urls"))) {
            return sendTo(read(home.resolve("manager.url")), method, path, body, bearer);
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            String url = leader;
            if (url != null) {
                try {
                    Answer answer = sendTo(url, method, path, body, bearer);
                    if (answer.status() != 307 && answer.status() != 503) {
                        return answer;
                    }
                } catch (org.idcguard.model.ApiException e) {
                    if (e.status() != 0) {
                        throw e;
                    }
                    // that manager is gone: find the one that leads now
                }
            }
            leader = findLeader();
            if (leader == null || leader.equals(url)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("No manager of the quorum leads within 30 s.");
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                leader = null;
            }
        }
    }

    private volatile String leader;

    /** The manager of the quorum that says it leads, or null. */
    private String findLeader() {
        for (String url : read(home.resolve("manager.urls")).lines().map(String::strip).filter(l -> l.startsWith("https://")).toList()) {
            try {
                Answer health = sendTo(url, "GET", "/api/health", null, token());
                if (health.status() == 200 && "leader".equals(health.json().path("lead").asText())) {
                    return url;
                }
            } catch (RuntimeException notThere) {
                // the next one
            }
        }
        return null;
    }

    /** Sends to the home's manager with a reason (a ticket), as the CLI's --reason and the console's header send it. */
    public Answer sendWithReason(String method, String path, String body, String bearer, String reason) {
        try (var http = new org.idcguard.client.ManagerHttp(read(home.resolve("manager.url")), bearer,
                org.idcguard.model.ManagerTrust.sslContext(home.resolve("tls").resolve("ca.crt")), Duration.ofSeconds(30))
                .withReason(reason)) {
            org.idcguard.client.ManagerHttp.Answer a = http.exchange(method, path, body);
            return new Answer(a.status(), a.body());
        }
    }

    /** Sends to one manager, leader or not, on the product's own transport (the API client module). */
    public Answer sendTo(String baseUrl, String method, String path, String body, String bearer) {
        org.idcguard.client.ManagerHttp.Answer a = transport(baseUrl).exchangeAs(bearer, method, path, body);
        return new Answer(a.status(), a.body());
    }

    private final java.util.Map<String, org.idcguard.client.ManagerHttp> transports = new java.util.concurrent.ConcurrentHashMap<>();

    /** One transport per manager, trusting the home's CA, made once the manager has created it. */
    private org.idcguard.client.ManagerHttp transport(String baseUrl) {
        return transports.computeIfAbsent(baseUrl, url -> new org.idcguard.client.ManagerHttp(url, "",
                org.idcguard.model.ManagerTrust.sslContext(home.resolve("tls").resolve("ca.crt")), Duration.ofSeconds(10)));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
