package org.idcguard.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.idcguard.agent.http.Json;

/** Raw HTTP calls against a running manager, so tests see exactly the status and body a script would. */
public final class ApiCaller {
    private final Path home;
    private HttpClient http;

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

    public String token() {
        return read(home.resolve("manager.token"));
    }

    public Answer get(String path) {
        return send("GET", path, null, token());
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

    public Answer send(String method, String path, String body, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(read(home.resolve("manager.url")) + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<String> r = http().send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** TLS trusting the home's CA, made once the manager has created it. */
    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1)
                    .sslContext(org.idcguard.model.ManagerTrust.sslContext(home.resolve("tls").resolve("ca.crt"))).build();
        }
        return http;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
