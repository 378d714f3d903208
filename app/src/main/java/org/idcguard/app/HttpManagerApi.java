package org.idcguard.app;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.ClusterPlan;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.Computer;
import org.idcguard.model.SwitchPlan;
import org.idcguard.model.SwitchRequest;
import org.idcguard.model.DrPlan;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.model.DrStatus;
import org.idcguard.model.TaskView;
import org.idcguard.model.Event;
import org.idcguard.model.Idc;
import org.idcguard.model.IdcBinding;
import org.idcguard.model.ManagerApi;
import org.idcguard.model.NewComputer;

/** {@link ManagerApi} over HTTP with Apache HttpClient 5; short timeouts so a lost manager is noticed in seconds. */
public final class HttpManagerApi implements ManagerApi, AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private volatile String baseUrl;
    private final String token;
    private final CloseableHttpClient http;
    /** Finds the leader of a quorum when the manager at baseUrl is gone; empty for a sole manager. */
    private volatile java.util.function.Supplier<java.util.Optional<String>> leaderFinder = java.util.Optional::empty;

    /** Speaks TLS trusting only the context's CA (the manager's own), with the home's bearer token. */
    public HttpManagerApi(String baseUrl, String token, javax.net.ssl.SSLContext managerTrust) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(new org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy(managerTrust))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(2))
                                .setSocketTimeout(Timeout.ofSeconds(30)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(30)).build())
                .disableAutomaticRetries()
                .disableRedirectHandling() // a follower's 307 is followed below, token and all, to our own CA's leader only
                .build();
    }

    /** Follows a quorum's leader: when the manager here is gone, the finder names the one that leads now. */
    public HttpManagerApi followingLeader(java.util.function.Supplier<java.util.Optional<String>> finder) {
        this.leaderFinder = finder;
        return this;
    }

    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public List<org.idcguard.model.ManagerInfo> managers() {
        return call("GET", "/api/managers", null, new TypeReference<>() { });
    }

    /** "leader" or "follower" as the manager here says (a sole manager leads). */
    public String lead() {
        java.util.Map<String, Object> health = call("GET", "/api/health", null, new TypeReference<>() { });
        return String.valueOf(health.getOrDefault("lead", "leader"));
    }

    @Override
    public List<Idc> idcs() {
        return call("GET", "/api/idcs", null, new TypeReference<>() { });
    }

    @Override
    public Idc addIdc(Idc idc) {
        return call("POST", "/api/idcs", idc, new TypeReference<>() { });
    }

    @Override
    public Idc updateIdc(String name, Idc idc) {
        return call("PUT", "/api/idcs/" + encode(name), idc, new TypeReference<>() { });
    }

    @Override
    public void deleteIdc(String name) {
        call("DELETE", "/api/idcs/" + encode(name), null, null);
    }

    @Override
    public List<Computer> computers() {
        return call("GET", "/api/computers", null, new TypeReference<>() { });
    }

    @Override
    public Computer addComputer(NewComputer computer) {
        return call("POST", "/api/computers", computer, new TypeReference<>() { });
    }

    @Override
    public Computer bindComputer(String address, String idc) {
        return call("PUT", "/api/computers/" + encode(address), new IdcBinding(idc), new TypeReference<>() { });
    }

    @Override
    public void deleteComputer(String address) {
        call("DELETE", "/api/computers/" + encode(address), null, null);
    }

    @Override
    public List<Event> events(long afterId) {
        return call("GET", "/api/events?after=" + afterId, null, new TypeReference<>() { });
    }

    @Override
    public List<ClusterSummary> clusters() {
        return call("GET", "/api/clusters", null, new TypeReference<>() { });
    }

    @Override
    public ClusterDetail cluster(String name) {
        return call("GET", "/api/clusters/" + encode(name), null, new TypeReference<>() { });
    }

    @Override
    public ClusterPlan planCluster(ClusterRequest request) {
        return call("POST", "/api/clusters?dryRun=true", request, new TypeReference<>() { });
    }

    @Override
    public TaskView createCluster(ClusterRequest request) {
        return call("POST", "/api/clusters", request, new TypeReference<>() { });
    }

    @Override
    public TaskView deleteCluster(String name) {
        return call("DELETE", "/api/clusters/" + encode(name), null, new TypeReference<>() { });
    }

    @Override
    public SwitchPlan switchPlan(String cluster, String to) {
        return call("POST", "/api/clusters/" + encode(cluster) + "/switch?dryRun=true", new SwitchRequest(to), new TypeReference<>() { });
    }

    @Override
    public TaskView startSwitch(String cluster, String to) {
        return call("POST", "/api/clusters/" + encode(cluster) + "/switch", new SwitchRequest(to), new TypeReference<>() { });
    }

    @Override
    public TaskView addDrCity(String cluster, org.idcguard.model.AddDrRequest request) {
        return call("POST", "/api/clusters/" + encode(cluster) + "/dr", request, new TypeReference<>() { });
    }

    @Override
    public DrStatus drStatus(String cluster) {
        return call("GET", "/api/clusters/" + encode(cluster) + "/dr", null, new TypeReference<>() { });
    }

    @Override
    public DrPlan drPlan(String cluster, String to, String mode) {
        return call("POST", "/api/clusters/" + encode(cluster) + "/dr/promote?dryRun=true", new DrPromoteRequest(to, mode, null),
                new TypeReference<>() { });
    }

    @Override
    public TaskView promoteBackupCity(String cluster, DrPromoteRequest request) {
        return call("POST", "/api/clusters/" + encode(cluster) + "/dr/promote", request, new TypeReference<>() { });
    }

    @Override
    public TaskView task(long id) {
        return call("GET", "/api/tasks/" + id, null, new TypeReference<>() { });
    }

    @Override
    public List<TaskView> tasks() {
        return call("GET", "/api/tasks", null, new TypeReference<>() { });
    }

    @Override
    public List<org.idcguard.model.Alert> alerts(boolean openOnly) {
        return call("GET", "/api/alerts" + (openOnly ? "?open=true" : ""), null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.Alert acknowledgeAlert(long id) {
        return call("POST", "/api/alerts/" + id + "/ack", null, new TypeReference<>() { });
    }

    @Override
    public List<org.idcguard.model.DrillReport> drills(String cluster) {
        return call("GET", "/api/drills" + (cluster == null ? "" : "?cluster=" + encode(cluster)), null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.DrillReport drill(long id) {
        return call("GET", "/api/drills/" + id, null, new TypeReference<>() { });
    }

    @Override
    public TaskView startDrill(String cluster, org.idcguard.model.DrillRequest request) {
        return call("POST", "/api/clusters/" + encode(cluster) + "/drills", request, new TypeReference<>() { });
    }

    @Override
    public List<org.idcguard.model.DrillLive> runningDrills() {
        return call("GET", "/api/drills/running", null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.ClientAccess clientNetworks(String cluster) {
        return call("GET", "/api/clusters/" + encode(cluster) + "/clients", null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.ClientAccess setClientNetworks(String cluster, List<String> clients) {
        return call("PUT", "/api/clusters/" + encode(cluster) + "/clients", java.util.Map.of("clients", clients),
                new TypeReference<>() { });
    }

    /** True when the manager answers its health check with this token. */
    public boolean answers() {
        try {
            call("GET", "/api/health", null, null);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /**
     * Calls the leader. A follower's 307 names it: the call goes there once. A manager that refuses the connection
     * (or never connects) has not seen the call, so it goes once to the leader the finder names; a call that may have
     * arrived (a timeout) is never sent twice.
     */
    private <T> T call(String method, String path, Object body, TypeReference<T> type) {
        try {
            return callOnce(method, path, body, type);
        } catch (Moved moved) {
            if (!moved.location.endsWith(path)) {
                throw new ApiException(307, moved.getMessage(), null);
            }
            baseUrl = moved.location.substring(0, moved.location.length() - path.length());
            return callOnce(method, path, body, type);
        } catch (NotConnected e) {
            String gone = baseUrl;
            java.util.Optional<String> leader = leaderFinder.get().filter(url -> !url.equals(gone));
            if (leader.isEmpty()) {
                throw e.failure;
            }
            baseUrl = leader.get();
            return callOnce(method, path, body, type);
        }
    }

    /** A follower's answer: the leader is at location. */
    private static final class Moved extends RuntimeException {
        final String location;

        Moved(String location, String message) {
            super(message);
            this.location = location;
        }
    }

    /** No connection was made: the call was not seen. */
    private static final class NotConnected extends RuntimeException {
        final ApiException failure;

        NotConnected(ApiException failure) {
            this.failure = failure;
        }
    }

    private <T> T callOnce(String method, String path, Object body, TypeReference<T> type) {
        HttpUriRequestBase request = new HttpUriRequestBase(method, java.net.URI.create(baseUrl + path));
        request.setHeader("Authorization", "Bearer " + token);
        try {
            if (body != null) {
                request.setEntity(new StringEntity(JSON.writeValueAsString(body), ContentType.APPLICATION_JSON));
            }
            return http.execute(request, response -> {
                String text = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                if (response.getCode() == 307 && response.getFirstHeader("Location") != null) {
                    throw new Moved(response.getFirstHeader("Location").getValue(), refusal(307, text).getMessage());
                }
                if (response.getCode() >= 400) {
                    throw refusal(response.getCode(), text);
                }
                return type == null || text.isEmpty() ? null : JSON.readValue(text, type);
            });
        } catch (ApiException | Moved e) {
            throw e;
        } catch (java.net.ConnectException | org.apache.hc.client5.http.ConnectTimeoutException e) {
            throw new NotConnected(new ApiException(0, "The manager at " + baseUrl + " does not answer: " + why(e) + ".", null));
        } catch (IOException e) {
            throw new ApiException(0, "The manager at " + baseUrl + " does not answer: " + why(e) + ".", null);
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

    private static ApiException refusal(int status, String text) {
        try {
            ApiError error = JSON.readValue(text, ApiError.class);
            if (error.error() != null) {
                return new ApiException(status, error.error(), error.field());
            }
        } catch (IOException ignored) {
            // not our error shape: fall through to the status line
        }
        return new ApiException(status, "The manager answered HTTP " + status + ".", null);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
