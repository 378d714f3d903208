package org.idcguard.agent.manager.cluster;

import java.util.List;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.task.TaskRunner;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.ClusterPlan;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.Names;
import org.idcguard.model.TaskView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The cluster operations of the API: plan, create, list, inspect, delete, and recovery after a restart. */
public final class ClusterService {
    private static final Logger log = LoggerFactory.getLogger(ClusterService.class);
    private final MetadataStore store;
    private final EventLog events;
    private final TaskRunner tasks;
    private final NodeAgentClient agents;
    private final ClusterPlanner planner = new ClusterPlanner();
    private final ClusterRepository clusters = new ClusterRepository();
    private final ClusterCreation creation;
    private final ClusterRemoval removal;
    private final ClusterInspector inspector;
    private final DrCityAddition drAddition;

    private final org.idcguard.agent.manager.Certificates certificates;

    public ClusterService(MetadataStore store, EventLog events, NodeAgentClient agents, TaskRunner tasks,
                          List<String> managerAddresses, ObservedNode.Source ticks,
                          org.idcguard.agent.manager.Certificates certificates) {
        this.certificates = certificates;
        this.store = store;
        this.events = events;
        this.tasks = tasks;
        this.agents = agents;
        this.removal = new ClusterRemoval(store, events, agents);
        this.creation = new ClusterCreation(store, events, agents, tasks, removal, managerAddresses);
        this.inspector = new ClusterInspector(agents, tasks.pool(), ticks);
        this.drAddition = new DrCityAddition(store, events, agents, tasks, creation);
    }

    /** Gives a running cluster a DR city: asynchronous standbys of every group in an IDC of another city. */
    public synchronized TaskView addDr(String name, org.idcguard.model.AddDrRequest request) {
        return drAddition.start(find(name), request);
    }

    public ClusterPlan plan(ClusterRequest request) {
        return store.inTransaction(c -> planner.plan(c, request));
    }

    /** Plans and records under one lock so two requests for one name cannot both pass the checks. */
    public synchronized TaskView create(ClusterRequest request) {
        return creation.start(plan(request));
    }

    public List<ClusterSummary> list() {
        return store.inTransaction(c -> {
            List<ClusterSummary> all = new java.util.ArrayList<>();
            for (ClusterRecord r : clusters.all(c)) {
                all.add(ClusterInspector.summary(r, clusters.nodes(c, r.name())));
            }
            return all;
        });
    }

    /**
     * The cluster's HAProxy route for an application host binding {@code bind}: its configuration, a fresh router
     * certificate of our CA for its health checks, and the URI through it.
     */
    public org.idcguard.model.RouteConfig route(String name, String bind, org.idcguard.agent.tls.CertificateAuthority ca) {
        String checked = RouteBuilder.checkBind(bind);
        ClusterRecord cluster = find(name);
        List<NodeRecord> coordinator = store.inTransaction(c -> clusters.nodes(c, cluster.name())).stream()
                .filter(n -> "coordinator".equals(n.group())).toList();
        var router = ca.issue(org.idcguard.agent.tls.CertificateAuthority.ROUTER_NAME, List.of(), List.of());
        String holder = cluster.name() + " on " + checked;
        store.inTransaction(c -> {
            events.record(c, "cluster.route", cluster.name(), "A router certificate was issued for the HAProxy route of "
                    + cluster.name() + " on " + checked + ".");
            // one router certificate per route: the one issued before for it is revoked with this one's issue
            certificates.record(c, router.certificate(), org.idcguard.agent.manager.Certificates.ROUTER, holder);
            certificates.revokeHolder(c, org.idcguard.agent.manager.Certificates.ROUTER, holder, router.certificate(),
                    "the HAProxy route of " + holder + " got a new router certificate.");
            return null;
        });
        return new org.idcguard.model.RouteConfig(RouteBuilder.haproxyConfig(cluster, coordinator, checked),
                org.idcguard.agent.tls.Pem.write(router.certificate()) + org.idcguard.agent.tls.Pem.privateKey(router.key()),
                org.idcguard.agent.tls.Pem.write(ca.certificate()), RouteBuilder.uri(cluster, checked));
    }

    /** Encrypts the passwords an older version kept in clear in the metadata (once, when this manager starts acting). */
    public void sealClearPasswords() {
        int sealed = store.inTransaction(clusters::sealClearPasswords);
        if (sealed > 0) {
            events.record("metadata.sealed", "clusters", "The passwords of " + sealed + " cluster" + (sealed == 1 ? " were" : "s were")
                    + " encrypted in the metadata (they were kept in clear by an older version).");
        }
    }

    /** The application's URIs with its password, for an admin who asked to see them: recorded, with who and why. */
    public org.idcguard.model.ClusterUris reveal(String name) {
        ClusterDetail d = detail(name);
        events.record("secret.revealed", name, "The application password of cluster " + name + " was revealed.");
        return d.uris();
    }

    public ClusterDetail detail(String name) {
        ClusterRecord cluster = find(name);
        List<GroupRecord> groups = store.inTransaction(c -> clusters.groups(c, name));
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, name));
        return inspector.inspect(cluster, groups, nodes);
    }

    /**
     * Starts every stopped instance of the cluster in the role the manager recorded, primaries first (after an
     * orderly shutdown of its computers). Nodes waiting to be rewound are left to the HA loop. The manager decides;
     * node agents never start instances by themselves.
     */
    public ClusterDetail start(String name) {
        ClusterRecord cluster = find(name);
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, name));
        for (boolean primaries : new boolean[] {true, false}) {
            nodes.stream().filter(n -> "primary".equals(n.role()) == primaries && !n.needsRejoin())
                    .forEach(n -> agents.startInstance(n.agentEndpoint(), n.name()));
        }
        store.inTransaction(c -> {
            events.record(c, "cluster.started", name, "Cluster " + name + ": stopped instances started in their recorded roles.");
            return null;
        });
        return detail(cluster.name());
    }

    public synchronized TaskView delete(String name) {
        ClusterRecord cluster = find(name);
        if (ClusterRecord.CREATING.equals(cluster.status())) {
            throw ApiFailure.conflict(null, "Cluster " + name + " is still being created: wait for its task to end.");
        }
        store.inTransaction(c -> {
            clusters.setStatus(c, name, ClusterRecord.DELETING);
            events.record(c, "cluster.deleting", name, "Deleting cluster " + name + ".");
            return null;
        });
        return tasks.start("delete-cluster", name, List.of("Stop and remove every instance of " + name),
                steps -> {
                    steps.run(1, () -> removal.removeEverything(name, tasks.pool()));
                    return "Cluster " + name + " deleted.";
                });
    }

    /**
     * After a restart: a creation that was under way when the manager stopped is rolled back, a deletion is
     * finished. Either way the cluster never stays half made.
     */
    public void recover() {
        for (TaskView interrupted : tasks.store().running()) {
            markInterrupted(interrupted);
        }
        drAddition.rollBackUnbuilt();
        for (ClusterRecord r : store.inTransaction(clusters::all)) {
            if (ClusterRecord.CREATING.equals(r.status()) || ClusterRecord.DELETING.equals(r.status())) {
                log.info("Cluster {} was {} when the manager stopped: removing it.", r.name(), r.status());
                tasks.start("delete-cluster", r.name(), List.of("Remove what the interrupted " + r.status()
                        + " of " + r.name() + " left behind"), steps -> {
                    steps.run(1, () -> removal.removeEverything(r.name(), tasks.pool()));
                    return "Cluster " + r.name() + " rolled back after the manager restarted.";
                });
            }
        }
    }

    /** Says what happens to the task's work, which differs by kind: a switch is not simply rolled back. */
    private void markInterrupted(TaskView task) {
        String what = switch (task.kind()) {
            case "create-cluster" -> "the half-made cluster is removed.";
            case "delete-cluster" -> "the deletion is finished.";
            case "add-dr" -> "the DR standbys it had recorded are removed again.";
            case "switch" -> "each group's move is finished or rolled back by the step it had recorded, and the events "
                    + "failover.resumed, failover.abandoned or failover.rolled-back of " + task.subject() + " say which.";
            default -> "what it left was rolled back.";
        };
        tasks.finishInterrupted(task.id(), "The manager stopped while this task ran; " + what);
    }

    /** The networks the cluster's applications connect from. */
    public org.idcguard.model.ClientAccess clientNetworks(String name) {
        return new org.idcguard.model.ClientAccess(find(name).clientNetworks(), List.of());
    }

    /**
     * Replaces the cluster's client networks: recorded first, then every node's agent rewrites pg_hba and reloads. A
     * node whose agent does not answer is named in "notReached"; it gets the networks when it rejoins.
     */
    public org.idcguard.model.ClientAccess setClientNetworks(String name, List<String> wanted) {
        List<String> networks = org.idcguard.model.ClientNetworks.check(wanted);
        ClusterRecord cluster = find(name);
        if (!ClusterRecord.RUNNING.equals(cluster.status())) {
            throw ApiFailure.conflict("name", "Cluster " + cluster.name() + " is " + cluster.status() + ", not running.");
        }
        List<NodeRecord> nodes = store.inTransaction(c -> {
            clusters.setClientNetworks(c, cluster.name(), networks);
            events.record(c, "cluster.clients", cluster.name(), "Applications may connect to " + cluster.name() + " from "
                    + (networks.isEmpty() ? "no network: only its computers and the managers get in" : String.join(", ", networks)) + ".");
            return clusters.nodes(c, cluster.name());
        });
        List<String> notReached = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        nodes.parallelStream().forEach(n -> {
            try {
                agents.setClientNetworks(n.agentEndpoint(), n.name(), networks);
            } catch (RuntimeException unreachable) {
                notReached.add(n.name());
            }
        });
        return new org.idcguard.model.ClientAccess(networks, notReached.stream().sorted().toList());
    }

    private ClusterRecord find(String name) {
        return store.inTransaction(c -> clusters.find(c, name))
                .orElseThrow(() -> ApiFailure.notFound("There is no cluster named " + Names.shorten(name) + "."));
    }

    public TaskView task(long id) {
        return tasks.store().find(id).orElseThrow(() -> ApiFailure.notFound("There is no task " + id + "."));
    }

    public List<TaskView> tasks() {
        return tasks.store().recent(100);
    }
}
