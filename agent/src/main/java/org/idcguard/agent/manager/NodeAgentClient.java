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
import org.idcguard.model.ComputerFacts;

/** The manager's side of the node-agent protocol. */
public final class NodeAgentClient {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String token;

    public NodeAgentClient(String token) {
        this.token = token;
    }

    /** Asks the node agent at the endpoint for its host's facts; fails with a sentence when it does not answer. */
    public CompletableFuture<ComputerFacts> facts(String endpoint) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + "/api/facts"))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new NodeAgentUnreachable("The node agent at " + endpoint + " answered HTTP " + response.statusCode() + ".");
            }
            try {
                return Json.MAPPER.readValue(response.body(), ComputerFacts.class);
            } catch (IOException e) {
                throw new NodeAgentUnreachable("The node agent at " + endpoint + " answered something that is not its facts.");
            }
        });
    }

    /** Blocking form of {@link #facts}, with the cause turned into one sentence. */
    public ComputerFacts factsNow(String endpoint) {
        try {
            return facts(endpoint).join();
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

    /** A node agent that did not answer, or answered wrongly. */
    public static final class NodeAgentUnreachable extends RuntimeException {
        public NodeAgentUnreachable(String message) {
            super(message);
        }
    }
}
