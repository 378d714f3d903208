package org.idcguard.client;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.idcguard.model.ApiException;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.ClusterPlan;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.Computer;
import org.idcguard.model.DrPlan;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.model.DrStatus;
import org.idcguard.model.Event;
import org.idcguard.model.Idc;
import org.idcguard.model.IdcBinding;
import org.idcguard.model.ManagerApi;
import org.idcguard.model.NewComputer;
import org.idcguard.model.SwitchPlan;
import org.idcguard.model.SwitchRequest;
import org.idcguard.model.TaskView;

/**
 * The typed manager API ({@link ManagerApi}) over the one transport, {@link ManagerHttp}; every path from
 * {@link ApiPaths}. The console, the command line and the tests all call the manager through it.
 */
public final class HttpManagerApi implements ManagerApi, AutoCloseable {
    private final ManagerHttp http;

    /** Speaks TLS trusting only the context's CA (the manager's own), with the home's bearer token. */
    public HttpManagerApi(String baseUrl, String token, SSLContext managerTrust) {
        this(new ManagerHttp(baseUrl, token, managerTrust));
    }

    public HttpManagerApi(ManagerHttp http) {
        this.http = http;
    }

    /** Follows a quorum's leader: when the manager here is gone, the finder names the one that leads now. */
    public HttpManagerApi followingLeader(java.util.function.Supplier<java.util.Optional<String>> finder) {
        http.followingLeader(finder);
        return this;
    }

    public String baseUrl() {
        return http.baseUrl();
    }

    /** The transport, for the calls the typed API does not name (settings, metrics, raw answers in tests). */
    public ManagerHttp http() {
        return http;
    }

    @Override
    public List<org.idcguard.model.ManagerInfo> managers() {
        return http.call("GET", ApiPaths.MANAGERS, null, new TypeReference<>() { });
    }

    /** "leader" or "follower" as the manager here says (a sole manager leads). */
    public String lead() {
        java.util.Map<String, Object> health = http.call("GET", ApiPaths.HEALTH, null, new TypeReference<>() { });
        return String.valueOf(health.getOrDefault("lead", "leader"));
    }

    @Override
    public List<Idc> idcs() {
        return http.call("GET", ApiPaths.IDCS, null, new TypeReference<>() { });
    }

    @Override
    public Idc addIdc(Idc idc) {
        return http.call("POST", ApiPaths.IDCS, idc, new TypeReference<>() { });
    }

    @Override
    public Idc updateIdc(String name, Idc idc) {
        return http.call("PUT", ApiPaths.idc(name), idc, new TypeReference<>() { });
    }

    @Override
    public void deleteIdc(String name) {
        http.call("DELETE", ApiPaths.idc(name), null, null);
    }

    @Override
    public List<Computer> computers() {
        return http.call("GET", ApiPaths.COMPUTERS, null, new TypeReference<>() { });
    }

    @Override
    public Computer addComputer(NewComputer computer) {
        return http.call("POST", ApiPaths.COMPUTERS, computer, new TypeReference<>() { });
    }

    @Override
    public Computer bindComputer(String address, String idc) {
        return http.call("PUT", ApiPaths.computer(address), new IdcBinding(idc), new TypeReference<>() { });
    }

    @Override
    public void deleteComputer(String address) {
        http.call("DELETE", ApiPaths.computer(address), null, null);
    }

    @Override
    public List<Event> events(long afterId) {
        return http.call("GET", ApiPaths.events(afterId), null, new TypeReference<>() { });
    }

    @Override
    public List<ClusterSummary> clusters() {
        return http.call("GET", ApiPaths.CLUSTERS, null, new TypeReference<>() { });
    }

    @Override
    public ClusterDetail cluster(String name) {
        return http.call("GET", ApiPaths.cluster(name), null, new TypeReference<>() { });
    }

    @Override
    public ClusterPlan planCluster(ClusterRequest request) {
        return http.call("POST", ApiPaths.CLUSTERS + "?dryRun=true", request, new TypeReference<>() { });
    }

    @Override
    public TaskView createCluster(ClusterRequest request) {
        return http.call("POST", ApiPaths.CLUSTERS, request, new TypeReference<>() { });
    }

    @Override
    public TaskView deleteCluster(String name) {
        return http.call("DELETE", ApiPaths.cluster(name), null, new TypeReference<>() { });
    }

    @Override
    public SwitchPlan switchPlan(String cluster, String to) {
        return http.call("POST", ApiPaths.cluster(cluster, "switch?dryRun=true"), new SwitchRequest(to), new TypeReference<>() { });
    }

    @Override
    public TaskView startSwitch(String cluster, String to) {
        return http.call("POST", ApiPaths.cluster(cluster, "switch"), new SwitchRequest(to), new TypeReference<>() { });
    }

    @Override
    public TaskView addDrCity(String cluster, org.idcguard.model.AddDrRequest request) {
        return http.call("POST", ApiPaths.cluster(cluster, "dr"), request, new TypeReference<>() { });
    }

    @Override
    public DrStatus drStatus(String cluster) {
        return http.call("GET", ApiPaths.cluster(cluster, "dr"), null, new TypeReference<>() { });
    }

    @Override
    public DrPlan drPlan(String cluster, String to, String mode) {
        return http.call("POST", ApiPaths.cluster(cluster, "dr/promote?dryRun=true"), new DrPromoteRequest(to, mode, null),
                new TypeReference<>() { });
    }

    @Override
    public TaskView promoteBackupCity(String cluster, DrPromoteRequest request) {
        return http.call("POST", ApiPaths.cluster(cluster, "dr/promote"), request, new TypeReference<>() { });
    }

    @Override
    public TaskView task(long id) {
        return http.call("GET", ApiPaths.task(id), null, new TypeReference<>() { });
    }

    @Override
    public List<TaskView> tasks() {
        return http.call("GET", ApiPaths.TASKS, null, new TypeReference<>() { });
    }

    @Override
    public List<org.idcguard.model.Alert> alerts(boolean openOnly) {
        return http.call("GET", ApiPaths.query(ApiPaths.ALERTS, "open", openOnly ? "true" : null), null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.Alert acknowledgeAlert(long id) {
        return http.call("POST", ApiPaths.alertAck(id), null, new TypeReference<>() { });
    }

    @Override
    public List<org.idcguard.model.DrillReport> drills(String cluster) {
        return http.call("GET", ApiPaths.query(ApiPaths.DRILLS, "cluster", cluster), null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.DrillReport drill(long id) {
        return http.call("GET", ApiPaths.drill(id), null, new TypeReference<>() { });
    }

    @Override
    public TaskView startDrill(String cluster, org.idcguard.model.DrillRequest request) {
        return http.call("POST", ApiPaths.cluster(cluster, "drills"), request, new TypeReference<>() { });
    }

    @Override
    public List<org.idcguard.model.DrillLive> runningDrills() {
        return http.call("GET", ApiPaths.RUNNING_DRILLS, null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.ClientAccess clientNetworks(String cluster) {
        return http.call("GET", ApiPaths.cluster(cluster, "clients"), null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.ClientAccess setClientNetworks(String cluster, List<String> clients) {
        return http.call("PUT", ApiPaths.cluster(cluster, "clients"), java.util.Map.of("clients", clients),
                new TypeReference<>() { });
    }

    /** True when the manager answers its health check with this token. */
    public boolean answers() {
        try {
            http.call("GET", ApiPaths.HEALTH, null, null);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    @Override
    public org.idcguard.model.HaSettings haSettings() {
        return http.get(ApiPaths.HA_SETTINGS, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.HaSettings updateHaSettings(org.idcguard.model.HaSettings settings) {
        return http.put(ApiPaths.HA_SETTINGS, settings, new TypeReference<>() { });
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public org.idcguard.model.Whoami whoami() {
        return http.call("GET", ApiPaths.WHOAMI, null, new TypeReference<>() { });
    }

    @Override
    public List<Event> audit(org.idcguard.model.AuditFilter f) {
        String path = ApiPaths.AUDIT;
        path = ApiPaths.query(path, "operator", f.operator());
        path = ApiPaths.query(path, "subject", f.subject());
        path = ApiPaths.query(path, "kind", f.kind());
        path = ApiPaths.query(path, "since", f.sinceMillis() == null ? null : f.sinceMillis().toString());
        path = ApiPaths.query(path, "until", f.untilMillis() == null ? null : f.untilMillis().toString());
        return http.call("GET", path, null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.ClusterUris revealUris(String cluster) {
        return http.call("POST", ApiPaths.cluster(cluster, "reveal"), null, new TypeReference<>() { });
    }

    @Override
    public void useReason(String reason) {
        http.withReason(reason);
    }

    @Override
    public void logout() {
        http.call("POST", ApiPaths.LOGOUT, null, null);
    }

    @Override
    public List<org.idcguard.model.Approval> approvals() {
        return http.call("GET", ApiPaths.APPROVALS, null, new TypeReference<>() { });
    }

    @Override
    public TaskView approve(long approvalId) {
        return http.call("POST", ApiPaths.approval(approvalId, "approve"), null, new TypeReference<>() { });
    }

    @Override
    public org.idcguard.model.Approval reject(long approvalId) {
        return http.call("POST", ApiPaths.approval(approvalId, "reject"), null, new TypeReference<>() { });
    }

    /** Logs an operator in at the manager (no credential needed): their session, whose token a client then calls with. */
    public static org.idcguard.model.OperatorSession login(String baseUrl, SSLContext managerTrust, org.idcguard.model.LoginRequest request) {
        try (ManagerHttp anonymous = new ManagerHttp(baseUrl, null, managerTrust)) {
            return anonymous.call("POST", ApiPaths.LOGIN, request, new TypeReference<>() { });
        }
    }
}
