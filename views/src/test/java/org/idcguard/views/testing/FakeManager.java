package org.idcguard.views.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.idcguard.model.ApiException;
import org.idcguard.model.CityCatalog;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.ClusterPlan;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.ClusterUris;
import org.idcguard.model.Computer;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.idcguard.model.PlannedNode;
import org.idcguard.model.SwitchPlan;
import org.idcguard.model.DrPlan;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.model.DrStatus;
import org.idcguard.model.TaskView;
import org.idcguard.model.ComputerFacts;
import org.idcguard.model.ComputerStatus;
import org.idcguard.model.Event;
import org.idcguard.model.Idc;
import org.idcguard.model.IdcRules;
import org.idcguard.model.InvalidInput;
import org.idcguard.model.ManagerApi;
import org.idcguard.model.NewComputer;

/** An in-memory manager for console tests, refusing what the real one refuses with the same field names. */
public final class FakeManager implements ManagerApi {
    private final Map<String, Idc> idcs = new TreeMap<>();
    private final Map<String, Computer> computers = new TreeMap<>();
    private final IdcRules rules = new IdcRules(CityCatalog.bundled());
    private final List<String> calls = new ArrayList<>();
    private ApiException refuseNextBind;

    public FakeManager withIdc(String name) {
        idcs.put(name, new Idc(name, "Guangdong", "Shenzhen"));
        return this;
    }

    public FakeManager withComputer(String address, String idc) {
        computers.put(address, new Computer(address, NewComputer.defaultEndpoint(address), idc, ComputerStatus.REACHABLE,
                new ComputerFacts(address, 2, 8L << 30, 100L << 30, "15.18", "/usr/lib/postgresql/15/bin"), 1));
        return this;
    }

    public void refuseNextBind(ApiException refusal) {
        refuseNextBind = refusal;
    }

    /** Names of the mutating calls made, in order. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized Computer computer(String address) {
        return computers.get(address);
    }

    public synchronized Idc idc(String name) {
        return idcs.get(name);
    }

    private List<org.idcguard.model.ManagerInfo> managers = List.of(
            new org.idcguard.model.ManagerInfo(1, "https://127.0.0.1:7480", "", 4242, "leader", "none", 0));

    /** What {@link #managers()} answers from now on (a quorum, a leader lost...). */
    public synchronized void setManagers(List<org.idcguard.model.ManagerInfo> now) {
        managers = List.copyOf(now);
    }

    @Override
    public synchronized List<org.idcguard.model.ManagerInfo> managers() {
        return managers;
    }

    @Override
    public synchronized List<Idc> idcs() {
        return List.copyOf(idcs.values());
    }

    @Override
    public synchronized Idc addIdc(Idc idc) {
        calls.add("addIdc " + idc.name());
        Idc checked = check(idc);
        if (idcs.containsKey(checked.name())) {
            throw new ApiException(409, "An IDC named " + idc.name() + " already exists.", "name");
        }
        idcs.put(checked.name(), checked);
        return checked;
    }

    @Override
    public synchronized Idc updateIdc(String name, Idc idc) {
        calls.add("updateIdc " + name);
        Idc checked = check(idc);
        idcs.remove(name);
        idcs.put(checked.name(), checked);
        return checked;
    }

    @Override
    public synchronized void deleteIdc(String name) {
        calls.add("deleteIdc " + name);
        if (computers.values().stream().anyMatch(c -> name.equals(c.idc()))) {
            throw new ApiException(409, "IDC " + name + " still has computers bound to it: unbind them first.", null);
        }
        idcs.remove(name);
    }

    @Override
    public synchronized List<Computer> computers() {
        return List.copyOf(computers.values());
    }

    @Override
    public synchronized Computer addComputer(NewComputer computer) {
        calls.add("addComputer " + computer.address());
        withComputer(computer.address(), computer.idc());
        return computers.get(computer.address());
    }

    @Override
    public synchronized Computer bindComputer(String address, String idc) {
        calls.add("bind " + address + " " + idc);
        if (refuseNextBind != null) {
            ApiException refusal = refuseNextBind;
            refuseNextBind = null;
            throw refusal;
        }
        if (idc != null && !idcs.containsKey(idc)) {
            throw new ApiException(422, "There is no IDC named " + idc + ".", "idc");
        }
        Computer bound = computers.get(address).withIdc(idc);
        computers.put(address, bound);
        return bound;
    }

    @Override
    public synchronized void deleteComputer(String address) {
        calls.add("deleteComputer " + address);
        computers.remove(address);
    }

    @Override
    public synchronized List<Event> events(long afterId) {
        return events.stream().filter(e -> e.id() > afterId).toList();
    }

    private final List<Event> events = new java.util.ArrayList<>();

    public synchronized FakeManager withEvent(Event e) {
        events.add(e);
        return this;
    }

    private final Map<String, ClusterDetail> clusters = new TreeMap<>();
    private final Map<Long, TaskView> tasks = new TreeMap<>();
    private long nextTask = 1;

    @Override
    public synchronized List<ClusterSummary> clusters() {
        return clusters.values().stream().map(ClusterDetail::summary).toList();
    }

    @Override
    public synchronized ClusterDetail cluster(String name) {
        ClusterDetail d = clusters.get(name);
        if (d == null) {
            throw new ApiException(404, "There is no cluster named " + name + ".", null);
        }
        return d;
    }

    private final Map<String, List<String>> clientNetworks = new TreeMap<>();

    @Override
    public synchronized org.idcguard.model.ClientAccess clientNetworks(String cluster) {
        cluster(cluster);
        return new org.idcguard.model.ClientAccess(clientNetworks.getOrDefault(cluster, List.of()), List.of());
    }

    @Override
    public synchronized org.idcguard.model.ClientAccess setClientNetworks(String cluster, List<String> clients) {
        cluster(cluster);
        calls.add("setClientNetworks " + cluster + " " + clients);
        try {
            clientNetworks.put(cluster, org.idcguard.model.ClientNetworks.check(clients));
        } catch (InvalidInput e) {
            throw new ApiException(400, e.getMessage(), e.field());
        }
        return clientNetworks(cluster);
    }

    @Override
    public synchronized ClusterPlan planCluster(ClusterRequest r) {
        calls.add("planCluster " + r.name());
        try {
            org.idcguard.model.ClientNetworks.check(r.clientsOrEmpty());
        } catch (InvalidInput e) {
            throw new ApiException(400, e.getMessage(), e.field());
        }
        if (clusters.keySet().stream().anyMatch(n -> n.equalsIgnoreCase(r.name()))) {
            throw new ApiException(409, "A cluster named " + r.name() + " already exists.", "name");
        }
        List<String> groups = new ArrayList<>(List.of("coordinator"));
        for (int i = 1; i <= r.shardsOrDefault(); i++) {
            groups.add("shard" + i);
        }
        List<PlannedNode> nodes = new ArrayList<>();
        for (String g : groups) {
            int n = 1;
            List<String> idcs = new ArrayList<>(List.of(r.primaryIdc(), r.backupIdc()));
            if (r.hasDr()) {
                idcs.add(r.drIdc());
            }
            for (String idc : idcs) {
                int count = idc.equals(r.drIdc()) ? r.drNodesOrDefault() : r.nodesPerIdcOrDefault();
                List<Computer> pool = computers.values().stream().filter(c -> idc.equals(c.idc()))
                        .filter(c -> r.computersOrEmpty().contains(c.address())).toList();
                if (pool.size() < count) {
                    throw new ApiException(422, "IDC " + idc + " has " + pool.size() + " reachable computers with PostgreSQL; "
                            + count + " are needed.", "computers");
                }
                for (int j = 0; j < count; j++) {
                    Computer c = pool.get(j);
                    nodes.add(new PlannedNode(g, r.name().toLowerCase() + "-" + g + "-" + n++, idc, c.address(), 15432 + groups.indexOf(g),
                            idc.equals(r.primaryIdc()) && j == 0 ? "primary" : "standby"));
                }
            }
        }
        return new ClusterPlan(r, groups, nodes);
    }

    @Override
    public synchronized TaskView createCluster(ClusterRequest r) {
        ClusterPlan plan = planCluster(r);
        calls.add("createCluster " + r.name());
        List<GroupView> groups = new ArrayList<>();
        for (String g : plan.groups()) {
            List<NodeView> members = plan.nodes().stream().filter(n -> n.group().equals(g)).map(n -> new NodeView(n.name(), g, n.idc(),
                    n.address(), n.port(), n.role(), 1000, "/data/" + n.name(), n.role().equals("primary") ? "-"
                    : n.idc().equals(r.backupIdc()) ? "quorum" : "async", n.role().equals("primary") ? -1 : 0, "0/3000000")).toList();
            groups.add(new GroupView(g, g.equals("coordinator") ? "coordinator" : "shard",
                    members.stream().filter(m -> m.idc().equals(r.backupIdc())).map(NodeView::name).toList(), 1, members));
        }
        int primaries = plan.groups().size();
        clusters.put(r.name(), new ClusterDetail(new ClusterSummary(r.name(), r.hasDr() ? "cross-city" : "intra-city", r.city(),
                r.primaryIdc(), r.backupIdc(), "running", r.shardsOrDefault(), r.nodesPerIdcOrDefault(), primaries,
                plan.nodes().size() - primaries, r.hasDr() ? r.drIdc() : null),
                r.databaseOrDefault(), r.appUserOrDefault(), r.syncPolicyOrDefault(), groups,
                new ClusterUris("postgresql://app:s3cret@h:1/app", "jdbc:postgresql://h:1/app?user=app&password=s3cret")));
        long now = System.currentTimeMillis();
        TaskView task = new TaskView(nextTask++, "create-cluster", r.name(), "succeeded", "Cluster " + r.name() + " created.", now, now,
                List.of(new TaskView.TaskStep(1, "Start primary", "done", null, now, now)));
        tasks.put(task.id(), task);
        return task;
    }

    @Override
    public synchronized TaskView deleteCluster(String name) {
        calls.add("deleteCluster " + name);
        clusters.remove(name);
        long now = System.currentTimeMillis();
        TaskView task = new TaskView(nextTask++, "delete-cluster", name, "succeeded", "Cluster " + name + " deleted.", now, now, List.of());
        tasks.put(task.id(), task);
        return task;
    }

    /** What the next switch plan says blocks group "shard1", or null for a clear plan. */
    public volatile String switchBlocker;

    @Override
    public synchronized SwitchPlan switchPlan(String cluster, String to) {
        calls.add("switchPlan " + cluster + " " + to);
        ClusterDetail d = cluster(cluster);
        List<SwitchPlan.GroupMove> moves = new ArrayList<>();
        for (GroupView g : d.groups()) {
            String old = g.nodes().stream().filter(n -> "primary".equals(n.role())).map(NodeView::name).findFirst().orElse("-");
            String target = g.nodes().stream().filter(n -> n.idc().equals(to)).map(NodeView::name).findFirst().orElse("-");
            String blocker = "shard1".equals(g.name()) ? switchBlocker : null;
            moves.add(new SwitchPlan.GroupMove(g.name(), old, "0/3000060", target, "0/3000060", 0, 1000, blocker));
        }
        return new SwitchPlan(cluster, d.summary().primaryIdc(), to, moves);
    }

    @Override
    public synchronized TaskView startSwitch(String cluster, String to) {
        calls.add("startSwitch " + cluster + " " + to);
        SwitchPlan plan = switchPlan(cluster, to);
        if (plan.blocked()) {
            throw new ApiException(409, "The switch to " + to + " cannot start: " + plan.blockers(), "to");
        }
        ClusterDetail d = clusters.get(cluster);
        ClusterSummary s = d.summary();
        clusters.put(cluster, new ClusterDetail(new ClusterSummary(s.name(), s.kind(), s.city(), s.backupIdc(), s.primaryIdc(), s.status(),
                s.shards(), s.nodesPerIdc(), s.primaryNodes(), s.standbyNodes()), d.database(), d.appUser(), d.syncPolicy(), d.groups(), d.uris()));
        long now = System.currentTimeMillis();
        List<TaskView.TaskStep> steps = new ArrayList<>();
        int i = 1;
        for (SwitchPlan.GroupMove m : plan.groups()) {
            steps.add(new TaskView.TaskStep(i++, "Move " + m.group() + ": " + m.oldPrimary() + " → " + m.newPrimary(), "done",
                    "promoted", now, now + 800));
        }
        TaskView task = new TaskView(nextTask++, "switch", cluster, "succeeded", "Every primary of " + cluster + " is in " + to + ".",
                now, now + 900, steps);
        tasks.put(task.id(), task);
        return task;
    }

    @Override
    public synchronized TaskView addDrCity(String cluster, org.idcguard.model.AddDrRequest request) {
        calls.add("addDrCity " + cluster + " " + request.drIdc() + " " + request.drNodesOrDefault());
        ClusterDetail d = cluster(cluster);
        Idc dr = idcs.get(request.drIdc());
        if (dr == null) {
            throw new ApiException(422, "There is no IDC named " + request.drIdc() + ".", "drIdc");
        }
        if (dr.city().equalsIgnoreCase(d.summary().city())) {
            throw new ApiException(422, "IDC " + dr.name() + " is in " + dr.city() + ", the cluster's own city: the DR IDC must stand "
                    + "in another city.", "drIdc");
        }
        List<GroupView> groups = new ArrayList<>();
        for (GroupView g : d.groups()) {
            List<NodeView> members = new ArrayList<>(g.nodes());
            members.add(new NodeView(cluster.toLowerCase() + "-" + g.name() + "-" + (g.nodes().size() + 1), g.name(), dr.name(),
                    "127.0.4.1", 15440 + groups.size(), "standby", 1000, "/data/dr", "async", 0, "0/3000000"));
            groups.add(new GroupView(g.name(), g.kind(), g.syncSet(), g.syncGeneration(), members));
        }
        ClusterSummary s = d.summary();
        clusters.put(cluster, new ClusterDetail(new ClusterSummary(s.name(), "cross-city", s.city(), s.primaryIdc(), s.backupIdc(),
                s.status(), s.shards(), s.nodesPerIdc(), s.primaryNodes(), s.standbyNodes() + groups.size(), dr.name()), d.database(),
                d.appUser(), d.syncPolicy(), groups, d.uris()));
        long now = System.currentTimeMillis();
        TaskView task = new TaskView(nextTask++, "add-dr", cluster, "succeeded", "The DR IDC " + dr.name() + " of " + cluster + " has "
                + groups.size() + " standbys.", now, now + 500, List.of());
        tasks.put(task.id(), task);
        return task;
    }

    /** What the fake DR standbys lack of their primaries, in bytes per group. */
    public volatile long drLagBytes = 4096;
    /** Whether the main city is lost, as the manager judges it (its DR status, and the plan's unseen span). */
    public volatile boolean mainCityLost;

    @Override
    public synchronized DrStatus drStatus(String cluster) {
        calls.add("drStatus " + cluster);
        ClusterDetail d = cluster(cluster);
        if (!d.summary().hasDr()) {
            throw new ApiException(409, "Cluster " + cluster + " has no DR IDC.", null);
        }
        boolean promoted = d.summary().primaryIdc().equals(d.summary().drIdc());
        List<DrStatus.Group> groups = new ArrayList<>();
        for (GroupView g : d.groups()) {
            String node = g.nodes().stream().filter(n -> n.idc().equals(d.summary().drIdc())).map(NodeView::name).findFirst().orElse("-");
            groups.add(promoted ? new DrStatus.Group(g.name(), node, "primary", "-", "-", -1, -1)
                    : new DrStatus.Group(g.name(), node, "streaming", "0/3000000", "0/3001000", drLagBytes, drLagBytes > 0 ? 1200 : 0));
        }
        return new DrStatus(cluster, d.summary().drIdc(), "Guangzhou", mainCityLost && !promoted, promoted, promoted ? -1 : drLagBytes * groups.size(),
                promoted ? -1 : 1200, groups, List.of(), null, 0);
    }

    @Override
    public synchronized DrPlan drPlan(String cluster, String to, String mode) {
        calls.add("drPlan " + cluster + " " + to + " " + mode);
        DrStatus s = drStatus(cluster);
        ClusterDetail d = cluster(cluster);
        List<DrPlan.Move> moves = new ArrayList<>();
        for (DrStatus.Group g : s.groups()) {
            String old = d.groups().stream().filter(x -> x.name().equals(g.group())).flatMap(x -> x.nodes().stream())
                    .filter(n -> "primary".equals(n.role())).map(NodeView::name).findFirst().orElse("-");
            moves.add(new DrPlan.Move(g.group(), old, g.node(), g.lastPrimaryLsn(), g.receivedLsn(), g.lagBytes(), g.lagMillis()));
        }
        boolean consistent = "consistent".equals(mode);
        return new DrPlan(cluster, to, consistent ? "consistent" : "latest", consistent ? "idcguard_1000" : null,
                consistent ? s.estimatedLossBytes() * 2 : s.estimatedLossBytes(), s.estimatedLossMillis(), moves, List.of(),
                s.mainCityLost() ? 6_800 : 0); // two wal_sender_timeouts, a failure window and the margins, as the manager counts
    }

    @Override
    public synchronized TaskView promoteBackupCity(String cluster, DrPromoteRequest request) {
        calls.add("promoteBackupCity " + cluster + " " + request.to() + " " + request.modeOrDefault() + " " + request.lossAccepted());
        DrPlan plan = drPlan(cluster, request.to(), request.modeOrDefault());
        if (plan.estimatedLossBytes() > 0 && !request.lossAccepted()) {
            throw new ApiException(409, "Promoting " + request.to() + " now loses about " + plan.estimatedLossBytes()
                    + " bytes: confirm that you accept the loss.", "acceptLoss");
        }
        ClusterDetail d = clusters.get(cluster);
        ClusterSummary s = d.summary();
        clusters.put(cluster, new ClusterDetail(new ClusterSummary(s.name(), s.kind(), s.city(), s.drIdc(), s.primaryIdc(), s.status(),
                s.shards(), s.nodesPerIdc(), s.primaryNodes(), s.standbyNodes(), s.drIdc()), d.database(), d.appUser(), d.syncPolicy(),
                d.groups(), d.uris()));
        long now = System.currentTimeMillis();
        List<TaskView.TaskStep> steps = new ArrayList<>();
        steps.add(new TaskView.TaskStep(1, "Fence what still answers of the main city", "done", "nothing of the main city answers", now, now + 100));
        int i = 2;
        for (DrPlan.Move m : plan.groups()) {
            steps.add(new TaskView.TaskStep(i++, "Promote " + m.candidate() + " in " + request.to() + " for " + m.group(), "done",
                    m.candidate() + " promoted, " + m.lossBytes() + " bytes lost", now, now + 600));
        }
        TaskView task = new TaskView(nextTask++, "dr-promote", cluster, "succeeded", "Every primary of " + cluster + " is in "
                + request.to() + "; actual loss " + plan.estimatedLossBytes() + " bytes.", now, now + 700, steps);
        tasks.put(task.id(), task);
        return task;
    }

    @Override
    public synchronized TaskView task(long id) {
        TaskView task = tasks.get(id);
        if (task == null) {
            throw new ApiException(404, "There is no task " + id + ".", null);
        }
        return task;
    }

    @Override
    public List<TaskView> tasks() {
        return List.of();
    }

    private final List<org.idcguard.model.Alert> alerts = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Raises an alert as the manager would (newest first in lists). */
    public FakeManager withAlert(long id, String level, String kind, String subject, String message) {
        alerts.add(0, new org.idcguard.model.Alert(id, id, System.currentTimeMillis(), level, kind, subject, message, 0));
        return this;
    }

    @Override
    public List<org.idcguard.model.Alert> alerts(boolean openOnly) {
        return alerts.stream().filter(a -> !openOnly || a.open()).toList();
    }

    @Override
    public org.idcguard.model.Alert acknowledgeAlert(long id) {
        for (int i = 0; i < alerts.size(); i++) {
            org.idcguard.model.Alert a = alerts.get(i);
            if (a.id() == id) {
                org.idcguard.model.Alert acked = a.open() ? new org.idcguard.model.Alert(a.id(), a.eventId(), a.timeMillis(),
                        a.level(), a.kind(), a.subject(), a.message(), System.currentTimeMillis()) : a;
                alerts.set(i, acked);
                return acked;
            }
        }
        throw new ApiException(404, "There is no alert " + id + ".", null);
    }

    private Idc check(Idc idc) {
        try {
            return rules.check(idc);
        } catch (InvalidInput e) {
            throw new ApiException(400, e.getMessage(), e.field());
        }
    }

    private final List<org.idcguard.model.DrillReport> drills = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<org.idcguard.model.DrillLive> running = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A running cluster with no groups, for screens that only need its name and IDCs. */
    public synchronized FakeManager withCluster(String name, String primaryIdc, String backupIdc) {
        clusters.put(name, new ClusterDetail(new ClusterSummary(name, "intra-city", "Shenzhen", primaryIdc, backupIdc, "running", 16, 2,
                17, 51), "app", "app", "available", List.of(), new ClusterUris("postgresql://app@h:1/app", "jdbc:postgresql://h:1/app")));
        return this;
    }

    /** Keeps a drill report as the manager would (newest first). */
    public FakeManager withDrillReport(org.idcguard.model.DrillReport report) {
        drills.add(0, report);
        return this;
    }

    /** Replaces what {@link #runningDrills()} answers: the live state of a drill, or none when null. */
    public void setRunningDrill(org.idcguard.model.DrillLive live) {
        running.clear();
        if (live != null) {
            running.add(live);
        }
    }

    @Override
    public List<org.idcguard.model.DrillReport> drills(String cluster) {
        return drills.stream().filter(d -> cluster == null || d.cluster().equals(cluster))
                .map(org.idcguard.model.DrillReport::withoutTimelines).toList();
    }

    @Override
    public org.idcguard.model.DrillReport drill(long id) {
        return drills.stream().filter(d -> d.id() == id).findFirst()
                .orElseThrow(() -> new ApiException(404, "There is no drill report " + id + ".", null));
    }

    @Override
    public synchronized TaskView startDrill(String cluster, org.idcguard.model.DrillRequest request) {
        if (!List.of("power-off", "freeze", "partition", "switch").contains(request.fault())) {
            throw new ApiException(400, "The fault is power-off, freeze, partition or switch, not '" + request.fault() + "'.", "fault");
        }
        calls.add("startDrill " + cluster + " " + request.fault() + " " + request.idc() + " " + request.rounds());
        long now = System.currentTimeMillis();
        return new TaskView(nextTask++, "drill", cluster, "running", "", now, 0, List.of());
    }

    @Override
    public List<org.idcguard.model.DrillLive> runningDrills() {
        return List.copyOf(running);
    }

    private org.idcguard.model.HaSettings haSettings = org.idcguard.model.HaSettings.DEFAULTS;

    @Override
    public synchronized org.idcguard.model.HaSettings haSettings() {
        return haSettings;
    }

    @Override
    public synchronized org.idcguard.model.HaSettings updateHaSettings(org.idcguard.model.HaSettings settings) {
        calls.add("updateHaSettings " + settings.probeIntervalMillis() + " " + settings.probeTimeoutMillis() + " "
                + settings.failedProbes() + " " + settings.streamSilenceMillis());
        settings.problem().ifPresent(p -> {
            throw new ApiException(400, p.getMessage(), p.field());
        });
        haSettings = settings;
        return settings;
    }

    private org.idcguard.model.Whoami me = new org.idcguard.model.Whoami("dba", "admin");
    private String reason;

    /** Who the fake takes the console for (an admin named dba by default). */
    public synchronized FakeManager as(String name, String role) {
        me = new org.idcguard.model.Whoami(name, role);
        return this;
    }

    @Override
    public synchronized org.idcguard.model.Whoami whoami() {
        return me;
    }

    @Override
    public synchronized List<Event> audit(org.idcguard.model.AuditFilter f) {
        return events.stream().filter(e -> e.actor() != null)
                .filter(e -> f.operator() == null || f.operator().equals(e.actor()))
                .filter(e -> f.subject() == null || f.subject().equals(e.subject()))
                .filter(e -> f.kind() == null || e.kind().startsWith(f.kind()))
                .sorted(java.util.Comparator.comparingLong(Event::id).reversed()).toList();
    }

    @Override
    public synchronized org.idcguard.model.ClusterUris revealUris(String name) {
        if (!"admin".equals(me.role())) {
            throw new ApiException(403, "Operator " + me.name() + " is " + ("viewer".equals(me.role()) ? "a " : "an ") + me.role() + ": only an admin may do this.", null);
        }
        calls.add("revealUris " + name);
        return cluster(name).uris();
    }

    @Override
    public synchronized void useReason(String newReason) {
        reason = newReason;
    }

    /** The reason the console sends with its changes now. */
    public synchronized String reason() {
        return reason;
    }

    @Override
    public synchronized void logout() {
        calls.add("logout");
    }

    private final List<org.idcguard.model.Approval> approvals = new ArrayList<>();

    /** An operation held by the four-eyes rule, asked by someone else. */
    public synchronized FakeManager withApproval(long id, String what, String askedBy) {
        approvals.add(new org.idcguard.model.Approval(id, "cluster-deletion", "sales", what, askedBy, "CHG-9", 0,
                System.currentTimeMillis() + 3_600_000, "waiting", null, 0, null));
        return this;
    }

    @Override
    public synchronized List<org.idcguard.model.Approval> approvals() {
        return List.copyOf(approvals);
    }

    @Override
    public synchronized TaskView approve(long id) {
        org.idcguard.model.Approval a = approvals.stream().filter(x -> x.id() == id).findFirst().orElseThrow();
        if (a.requestedBy().equals(me.name())) {
            throw new ApiException(403, "A second admin must approve " + a.what() + ": " + a.requestedBy()
                    + " asked for it and may not approve it too.", "approval");
        }
        calls.add("approve " + id);
        approvals.replaceAll(x -> x.id() == id ? new org.idcguard.model.Approval(x.id(), x.kind(), x.subject(), x.what(),
                x.requestedBy(), x.reason(), x.requestedMillis(), x.expiresMillis(), "approved", me.name(), 1, 7L) : x);
        return new TaskView(7, "delete-cluster", a.subject(), "running", null, 0, 0, List.of());
    }

    @Override
    public synchronized org.idcguard.model.Approval reject(long id) {
        calls.add("reject " + id);
        approvals.replaceAll(x -> x.id() == id ? new org.idcguard.model.Approval(x.id(), x.kind(), x.subject(), x.what(),
                x.requestedBy(), x.reason(), x.requestedMillis(), x.expiresMillis(), "rejected", me.name(), 1, null) : x);
        return approvals.stream().filter(x -> x.id() == id).findFirst().orElseThrow();
    }
}
