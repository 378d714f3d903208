package org.idcguard.agent.manager.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;

/**
 * Stops and removes every instance of a cluster on its computers, then forgets the cluster. Used by delete
 * and by the rollback of a failed creation. Safe to repeat: removing an instance that is gone succeeds.
 */
public final class ClusterRemoval {
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final ClusterRepository clusters = new ClusterRepository();

    public ClusterRemoval(MetadataStore store, EventLog events, NodeAgentClient agents) {
        this.store = store;
        this.events = events;
        this.agents = agents;
    }

    /** Removes all instances in parallel; if any computer cannot be reached, the cluster stays recorded so it can be retried. */
    public String removeEverything(String cluster, ExecutorService pool) {
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, cluster));
        try {
            CompletableFuture.allOf(nodes.stream()
                    .map(n -> CompletableFuture.runAsync(() -> agents.removeInstance(n.agentEndpoint(), n.name()), pool))
                    .toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            store.inTransaction(c -> {
                clusters.setStatus(c, cluster, ClusterRecord.DELETING);
                return null;
            });
            throw new IllegalStateException("Some instances of " + cluster + " could not be removed (" + e.getCause().getMessage()
                    + "); the cluster stays listed as deleting: delete it again once its computers answer.", e.getCause());
        }
        store.inTransaction(c -> {
            clusters.deleteAll(c, cluster);
            events.record(c, "cluster.removed", cluster, "Cluster " + cluster + ": " + nodes.size()
                    + " instances stopped and their data removed.");
            return null;
        });
        return nodes.size() + " instances stopped and removed";
    }
}
