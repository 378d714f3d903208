package org.idcguard.model;

import java.util.List;

/**
 * The manager's API as the console sees it. Every method may block on the network and
 * throws {@link ApiException} with a sentence for the DBA when the call is refused or fails.
 */
public interface ManagerApi {

    List<Idc> idcs();

    /** The managers: one for a sole manager; each member of a quorum with its role and its ZooKeeper peer's state. */
    List<ManagerInfo> managers();

    Idc addIdc(Idc idc);

    Idc updateIdc(String name, Idc idc);

    void deleteIdc(String name);

    List<Computer> computers();

    Computer addComputer(NewComputer computer);

    /** Binds the computer to the IDC, or unbinds it when idc is null. */
    Computer bindComputer(String address, String idc);

    void deleteComputer(String address);

    List<Event> events(long afterId);

    List<ClusterSummary> clusters();

    /** The cluster as observed now: every group and node with role, sync state and lag, and the URIs. */
    ClusterDetail cluster(String name);

    /** The networks applications may connect to the cluster from. */
    ClientAccess clientNetworks(String cluster);

    /** Replaces them; every node's pg_hba follows at once (nodes not reached get them when they rejoin). */
    ClientAccess setClientNetworks(String cluster, List<String> clients);

    /** The placement a creation would use; creates nothing. */
    ClusterPlan planCluster(ClusterRequest request);

    /** Starts creating the cluster; follow the returned task. */
    TaskView createCluster(ClusterRequest request);

    /** Starts deleting the cluster (every node stopped, its data removed); follow the returned task. */
    TaskView deleteCluster(String name);

    /** The preflight and plan of a planned IDC switch to the IDC; changes nothing. */
    SwitchPlan switchPlan(String cluster, String to);

    /** Starts the planned IDC switch (refused with the preflight's reasons when blocked); follow the returned task. */
    TaskView startSwitch(String cluster, String to);

    /** Gives a running cluster a DR city (asynchronous standbys of every group in an IDC of another city); follow the task. */
    TaskView addDrCity(String cluster, AddDrRequest request);

    /** A cross-city cluster's DR city now: what each DR standby holds and what a promotion would lose. */
    DrStatus drStatus(String cluster);

    /** The preflight of a backup-city promotion in a mode: per group the DR standby and the estimated loss; changes nothing. */
    DrPlan drPlan(String cluster, String to, String mode);

    /** Promotes the backup city (refused unless the loss is accepted when there is one); follow the returned task. */
    TaskView promoteBackupCity(String cluster, DrPromoteRequest request);

    TaskView task(long id);

    List<TaskView> tasks();

    /** Alerts, newest first; only those not yet acknowledged when openOnly. */
    List<Alert> alerts(boolean openOnly);

    /** Acknowledges the alert and returns it as it is now. */
    Alert acknowledgeAlert(long id);

    /** Drill reports, newest first, of one cluster or of all when cluster is null; without their timelines. */
    List<DrillReport> drills(String cluster);

    /** One drill report whole, timelines included. */
    DrillReport drill(long id);

    /** Starts a drill the manager runs as a task; follow the task, or {@link #runningDrills()} for its live state. */
    TaskView startDrill(String cluster, DrillRequest request);

    /** The drills running now, as far as they got. */
    List<DrillLive> runningDrills();

    /** How the manager probes nodes and decides they are down. */
    HaSettings haSettings();

    /** Replaces the HA settings (refused, changing nothing, when they break a rule of {@link HaSettings#problem()}). */
    HaSettings updateHaSettings(HaSettings settings);

    /** Who the manager takes this console for: the operator and their role. */
    Whoami whoami();

    /** What operators did, newest first, narrowed by the filter's non-null fields. */
    List<Event> audit(AuditFilter filter);

    /** The application's URIs with its password, which the manager records as revealed by this operator (admin only). */
    ClusterUris revealUris(String cluster);

    /** Sends this reason (a ticket) with every change from now on; blank for none. */
    void useReason(String reason);

    /** Ends this console's session (an operator's; the home's token has none to end). */
    void logout();

    /** Operations the four-eyes rule holds or held, newest first. */
    List<Approval> approvals();

    /** Approves one as the second admin: the operation starts (its task) as the admin who asked. */
    TaskView approve(long approvalId);

    /** Rejects one as the second admin. */
    Approval reject(long approvalId);
}
