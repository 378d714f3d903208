package org.idcguard.client;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.idcguard.model.ApiError;
import org.idcguard.model.ApiException;

/**
 * The one transport to the manager API: Apache HttpClient 5 over TLS that trusts only the manager's own CA, the
 * home's bearer token on every call, JSON by {@link ApiJson}, and a refusal turned into an {@link ApiException} with
 * the manager's sentence. It follows a quorum's leader: a follower's 307 names it, and a manager that refused the
 * connection (so never saw the call) is replaced by the one the finder names; a call that may have arrived (a timeout)
 * is never sent twice.
 */
public final class ManagerHttp implements AutoCloseable {
    private volatile String baseUrl;
    private final String token;
    private final CloseableHttpClient http;
    private volatile Supplier<Optional<String>> leaderFinder = Optional::empty;
    /** The reason (a ticket) sent with every call that changes something, or null. */
    private volatile String reason;

    /** An answer as it came: status and body, refusals included (for callers that judge the status themselves). */
    public record Answer(int status, String body) {
    }

    public ManagerHttp(String baseUrl, String token, SSLContext managerTrust) {
        this(baseUrl, token, managerTrust, Duration.ofSeconds(30));
    }

    /** With the longest wait for an answer (the connection itself gets 2 s: a lost manager is noticed at once). */
    public ManagerHttp(String baseUrl, String token, SSLContext managerTrust, Duration responseTimeout) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(new org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy(managerTrust))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(2))
                                .setSocketTimeout(Timeout.of(responseTimeout)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(responseTimeout)).build())
                .disableAutomaticRetries()
                .disableRedirectHandling() // a follower's 307 is followed below, token and all, to our own CA's leader only
                .build();
    }

    /** Follows a quorum's leader: when the manager here is gone, the finder names the one that leads now. */
    public ManagerHttp followingLeader(Supplier<Optional<String>> finder) {
        this.leaderFinder = finder;
        return this;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Sends this reason (a ticket) with every call that changes something from now on; null or blank for none. */
    public ManagerHttp withReason(String newReason) {
        this.reason = newReason == null || newReason.isBlank() ? null : newReason.strip();
        return this;
    }

    /** The header a reason travels in, percent-encoded UTF-8 (a header carries Latin-1 only). */
    public static final String REASON_HEADER = "X-IDCGuard-Reason";

    public <T> T get(String path, TypeReference<T> type) {
        return call("GET", path, null, type);
    }

    public <T> T post(String path, Object body, TypeReference<T> type) {
        return call("POST", path, body, type);
    }

    public <T> T put(String path, Object body, TypeReference<T> type) {
        return call("PUT", path, body, type);
    }

    public <T> T delete(String path, TypeReference<T> type) {
        return call("DELETE", path, null, type);
    }

    /** Calls the leader and reads the answer as type (null type: the answer is not read). */
    public <T> T call(String method, String path, Object body, TypeReference<T> type) {
        String json = body == null ? null : write(body);
        Answer answer = exchangeFollowing(method, path, json, token);
        if (answer.status() >= 300) {
            throw refusal(answer);
        }
        try {
            return type == null || answer.body().isEmpty() ? null : ApiJson.MAPPER.readValue(answer.body(), type);
        } catch (IOException e) {
            throw new ApiException(0, "The manager answered something unexpected: " + e.getMessage(), null);
        }
    }

    /** Sends to the leader as {@link #call} does, and returns the answer whatever its status. */
    public Answer exchange(String method, String path, String jsonBody) {
        return exchangeFollowing(method, path, jsonBody, token);
    }

    /** The same with another bearer token (or none): to show what a caller without the right one gets. */
    public Answer exchangeAs(String bearer, String method, String path, String jsonBody) {
        return exchangeFollowing(method, path, jsonBody, bearer);
    }

    private Answer exchangeFollowing(String method, String path, String json, String bearer) {
        try {
            Raw answer = once(method, path, json, bearer);
            if (answer.status() == 307 && answer.location() != null) {
                if (!answer.location().endsWith(path)) {
                    return answer.plain();
                }
                baseUrl = answer.location().substring(0, answer.location().length() - path.length());
                return once(method, path, json, bearer).plain();
            }
            return answer.plain();
        } catch (NotConnected e) {
            String gone = baseUrl;
            Optional<String> leader = leaderFinder.get().filter(url -> !url.equals(gone));
            if (leader.isEmpty()) {
                throw e.failure;
            }
            baseUrl = leader.get();
            try {
                return once(method, path, json, bearer).plain();
            } catch (NotConnected again) {
                throw again.failure;
            }
        }
    }

    /** An answer with the Location a 307 carries. */
    private record Raw(int status, String body, String location) {
        Answer plain() {
            return new Answer(status, body);
        }
    }

    /** No connection was made: the call was not seen. */
    private static final class NotConnected extends RuntimeException {
        final ApiException failure;

        NotConnected(ApiException failure) {
            this.failure = failure;
        }
    }

    private Raw once(String method, String path, String json, String bearer) {
        HttpUriRequestBase request = new HttpUriRequestBase(method, java.net.URI.create(baseUrl + path));
        if (bearer != null) {
            request.setHeader("Authorization", "Bearer " + bearer);
        }
        if (json != null) {
            request.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));
        }
        String why = reason;
        if (why != null && !"GET".equals(method)) {
            request.setHeader(REASON_HEADER, java.net.URLEncoder.encode(why, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        try {
            return http.execute(request, response -> new Raw(response.getCode(),
                    response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8),
                    response.getFirstHeader("Location") == null ? null : response.getFirstHeader("Location").getValue()));
        } catch (java.net.ConnectException | org.apache.hc.client5.http.ConnectTimeoutException e) {
            throw new NotConnected(new ApiException(0, "The manager at " + baseUrl + " does not answer: " + why(e) + ".", null));
        } catch (IOException e) {
            throw new ApiException(0, "The manager at " + baseUrl + " does not answer: " + why(e) + ".", null);
        }
    }

    private static String write(Object body) {
        try {
            return ApiJson.MAPPER.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot write the request: " + e.getMessage(), e);
        }
    }

    private static String why(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "the connection was refused";
        }
        if (e instanceof java.net.SocketTimeoutException || e instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
            return "it did not answer in time";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The manager's sentence of a refusal, or the status when the answer is not our error shape. */
    public static ApiException refusal(Answer answer) {
        try {
            ApiError error = ApiJson.MAPPER.readValue(answer.body(), ApiError.class);
            if (error.error() != null) {
                return new ApiException(answer.status(), error.error(), error.field());
            }
        } catch (IOException ignored) {
            // not our error shape: fall through to the status line
        }
        return new ApiException(answer.status(), "The manager answered HTTP " + answer.status() + ".", null);
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
