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
    private final HttpClient http;
    private final String baseUrl;
    private final String token;

    private ManagerClient(HttpClient http, String baseUrl, String token) {
        this.http = http;
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

    /** A client of the manager of this home, which must answer. */
    static ManagerClient of(AgentHome home) {
        String url = answering(home).orElseThrow(() -> new CliFailure(
                "No manager answers for " + home.root() + ": start one with './idcguard manager' or './idcguard demo up'."));
        return new ManagerClient(httpFor(home).orElseThrow(), url, home.token());
    }

    /** The URL of this home's manager if one answers there. */
    static Optional<String> answering(AgentHome home) {
        return home.managerUrl().filter(url -> healthy(url + "/api/health", home));
    }

    static boolean healthy(String healthUrl, AgentHome home) {
        Optional<HttpClient> http = httpFor(home);
        if (http.isEmpty() || home.layout().token().isEmpty()) {
            return false;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(healthUrl)).timeout(Duration.ofSeconds(2))
                    .header("Authorization", "Bearer " + home.layout().token().get()).GET().build();
            return http.get().send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String baseUrl() {
        return baseUrl;
    }

    <T> T get(String path, TypeReference<T> type) {
        return read(send(request(path).GET()), type);
    }

    <T> T post(String path, Object body, TypeReference<T> type) {
        return read(send(request(path).POST(json(body))), type);
    }

    <T> T put(String path, Object body, TypeReference<T> type) {
        return read(send(request(path).PUT(json(body))), type);
    }

    void delete(String path) {
        send(request(path).DELETE());
    }

    <T> T delete(String path, TypeReference<T> type) {
        return read(send(request(path).DELETE()), type);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private String send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 400) {
                throw new CliFailure(errorSentence(response));
            }
            return response.body();
        } catch (IOException e) {
            throw new CliFailure("The manager at " + baseUrl + " did not answer: " + e.getMessage() + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("Interrupted while waiting for the manager.");
        }
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
