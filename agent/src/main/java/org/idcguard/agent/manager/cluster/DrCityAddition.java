package org.idcguard.agent.manager.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.task.TaskRunner;
import org.idcguard.model.AddDrRequest;
import org.idcguard.model.PlannedNode;
import org.idcguard.model.TaskView;

/**
 * Adds a DR city to a running cluster, as a task: the DR standbys are recorded first (with no data directory, which
 * keeps the HA loop's hands off them until they are built), every node then lets the DR computers in (pg_hba,
 * replication included), and each DR standby is copied from its group's primary by a base backup. A failure, or a
 * manager restarted mid-way ({@link #rollBackUnbuilt}), removes every DR standby and the DR IDC again: the cluster is
 * left as it was.
 */
final class DrCityAddition {
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final TaskRunner tasks;
    private final ClusterCreation creation;
    private final ClusterPlanner planner = new ClusterPlanner();
    private final ClusterRepository clusters = new ClusterRepository();

    DrCityAddition(MetadataStore store, EventLog events, NodeAgentClient agents, TaskRunner tasks, ClusterCreation creation) {
        this.store = store;
        this.events = events;
        this.agents = agents;
        this.tasks = tasks;
        this.creation = creation;
    }

    TaskView start(ClusterRecord cluster, AddDrRequest request) {
        if (request == null || request.drIdc() == null || request.drIdc().isBlank()) {
            throw new ApiFailure(400, "Choose the DR IDC, in another city.", "drIdc");
        }
        if (!ClusterRecord.RUNNING.equals(cluster.status())) {
            throw ApiFailure.conflict(null, "Cluster " + cluster.name() + " is " + cluster.status() + ", not running.");
        }
        if (cluster.hasDr()) {
            throw ApiFailure.conflict("drIdc", "Cluster " + cluster.name() + " already has the DR IDC " + cluster.drIdc() + ".");
        }
        List<NodeRecord> existing = store.inTransaction(c -> clusters.nodes(c, cluster.name()));
        List<String> silent = existing.stream().map(NodeRecord::agentEndpoint).distinct().filter(e -> !agents.answers(e)).toList();
        if (!silent.isEmpty()) {
            throw ApiFailure.conflict(null, "The node agent at " + String.join(", ", silent) + " does not answer: every node must let "
                    + "the DR city in, so add it when all of the cluster's computers answer.");
        }
        List<PlannedNode> planned = store.inTransaction(c -> {
            List<PlannedNode> p = planner.planDr(c, cluster, request.drIdc(), request.drNodesOrDefault());
            clusters.setDr(c, cluster.name(), request.drIdc());
            for (PlannedNode n : p) {
                clusters.insertNode(c, new NodeRecord(n.name(), cluster.name(), n.group(), n.idc(), n.address(), null, n.port(), "",
                        n.role(), false));
            }
            events.record(c, "dr.adding", cluster.name(), "Adding the DR IDC " + request.drIdc() + " to " + cluster.name() + ": "
                    + request.drNodesOrDefault() + " asynchronous standby(s) per group.");
            return p;
        });
        List<String> steps = new ArrayList<>();
        steps.add("Let the computers of " + request.drIdc() + " into every node of " + cluster.name());
        planned.forEach(n -> steps.add("Copy DR standby " + n.name() + " on " + n.address() + ":" + n.port() + " in " + n.idc()
                + " (base backup, asynchronous)"));
        return tasks.start("add-dr", cluster.name(), steps, progress -> {
            TestPause.at("dr-add-recorded", () -> events.record("test.paused", cluster.name(), "dr-add-recorded"));
            try {
                ClusterRecord now = store.inTransaction(c -> clusters.find(c, cluster.name())).orElseThrow();
                List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, cluster.name()));
                List<String> addresses = creation.clientAddresses(nodes);
                progress.run(1, () -> {
                    for (NodeRecord n : nodes) {
                        if (!now.isDr(n.idc())) {
                            agents.setComputers(n.agentEndpoint(), n.name(), addresses);
                        }
                    }
                    return addresses.size() + " addresses on " + (nodes.size() - planned.size()) + " nodes";
                });
                TestPause.at("dr-add-admitted", () -> events.record("test.paused", cluster.name(), "dr-add-admitted"));
                List<CompletableFuture<Void>> copies = new ArrayList<>();
                for (int i = 0; i < planned.size(); i++) {
                    int ordinal = i + 2;
                    NodeRecord node = nodes.stream().filter(n -> n.name().equals(planned.get(ordinal - 2).name())).findFirst().orElseThrow();
                    NodeRecord primary = nodes.stream().filter(n -> n.group().equals(node.group()) && n.isPrimary()).findFirst()
                            .orElseThrow(() -> new IllegalStateException(node.group() + " has no recorded primary."));
                    copies.add(CompletableFuture.runAsync(() -> {
                        try {
                            if (ordinal > 2) {
                                TestPause.hold("dr-add-copied"); // a test kills the manager with one standby built, the rest not
                            }
                            progress.run(ordinal, () -> creation.runInstance(now, node, primary, addresses));
                            if (ordinal == 2) {
                                TestPause.at("dr-add-copied", () -> events.record("test.paused", cluster.name(), "dr-add-copied"));
                            }
                        } catch (Exception e) {
                            throw new CompletionException(e);
                        }
                    }, tasks.pool()));
                }
                CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).join();
            } catch (Exception e) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                progress.runExtra("Roll back: remove every DR standby of " + cluster.name(), () -> rollBack(cluster.name()));
                throw new IllegalStateException("Adding the DR IDC " + request.drIdc() + " to " + cluster.name() + " failed: "
                        + cause.getMessage() + " Every DR standby it had made was removed.", cause);
            }
            events.record("dr.added", cluster.name(), "Cluster " + cluster.name() + " has the DR IDC " + request.drIdc() + ": "
                    + planned.size() + " asynchronous standbys stream from the primaries.");
            return "The DR IDC " + request.drIdc() + " of " + cluster.name() + " has " + planned.size() + " standbys.";
        });
    }

    /** Removes every DR standby of the cluster and its DR IDC: what a failed or interrupted addition leaves. */
    String rollBack(String clusterName) {
        ClusterRecord cluster = store.inTransaction(c -> clusters.find(c, clusterName)).orElse(null);
        if (cluster == null || !cluster.hasDr()) {
            return "nothing to remove";
        }
        List<NodeRecord> dr = store.inTransaction(c -> clusters.nodes(c, clusterName)).stream().filter(n -> cluster.isDr(n.idc())).toList();
        for (NodeRecord n : dr) {
            try {
                agents.removeInstance(n.agentEndpoint(), n.name());
            } catch (RuntimeException e) {
                // its agent does not answer: the instance is named in the event, for the DBA to remove
                events.record("dr.leftover", clusterName, "DR standby " + n.name() + " on " + n.address() + " could not be removed ("
                        + e.getMessage() + "); remove it when its computer answers.");
            }
        }
        // the DR computers were let into every node first: the door is closed again (a node that does not answer is named)
        List<NodeRecord> kept = store.inTransaction(c -> clusters.nodes(c, clusterName)).stream().filter(n -> !cluster.isDr(n.idc())).toList();
        List<String> addresses = creation.clientAddresses(kept);
        for (NodeRecord n : kept) {
            try {
                agents.setComputers(n.agentEndpoint(), n.name(), addresses);
            } catch (RuntimeException e) {
                events.record("dr.leftover", clusterName, "Node " + n.name() + " on " + n.address() + " still lets the computers of "
                        + cluster.drIdc() + " in (" + e.getMessage() + "), though they hold no instance of " + clusterName + " any more.");
            }
        }
        store.inTransaction(c -> {
            for (NodeRecord n : dr) {
                clusters.deleteNode(c, n.name());
            }
            clusters.setDr(c, clusterName, null);
            events.record(c, "dr.rolled-back", clusterName, "The DR IDC " + cluster.drIdc() + " of " + clusterName + " was removed again ("
                    + dr.size() + " standby(s)).");
            return null;
        });
        return dr.size() + " DR standby(s) removed";
    }

    /** After a restart: a cluster with DR standbys never built was being given a DR city; that is undone. */
    void rollBackUnbuilt() {
        for (ClusterRecord r : store.inTransaction(clusters::all)) {
            if (r.hasDr() && store.inTransaction(c -> clusters.nodes(c, r.name())).stream()
                    .anyMatch(n -> r.isDr(n.idc()) && n.dataDir().isEmpty())) {
                tasks.start("add-dr", r.name(), List.of("Remove the DR standbys the interrupted addition left"),
                        progress -> {
                            progress.run(1, () -> rollBack(r.name()));
                            return "The DR IDC of " + r.name() + " was rolled back after the manager restarted.";
                        });
            }
        }
    }
}
