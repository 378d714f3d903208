package org.idcguard.agent.manager.cluster;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.GroupView;
import org.idcguard.model.InstanceStatus;
import org.idcguard.model.NodeView;

/**
 * Looks at a cluster as it is now: each node as the HA loop's last probe saw it (in recovery or not, how far its WAL
 * is, a primary's standbys with sync state and lag), asked over SQL only when the loop has not observed it (a cluster
 * being created), and the node agents report pids and data directories (from {@link InstanceListCache}).
 */
public final class ClusterInspector {
    private final InstanceListCache instanceLists;
    private final ExecutorService pool;
    private final ObservedNode.Source ticks;

    /** @param ticks what the HA loop saw last; a node it has not observed is asked over SQL */
    public ClusterInspector(NodeAgentClient agents, ExecutorService pool, ObservedNode.Source ticks) {
        this.pool = pool;
        this.ticks = ticks;
        this.instanceLists = new InstanceListCache(agents, pool);
    }

    public static ClusterSummary summary(ClusterRecord c, List<NodeRecord> nodes) {
        int primaries = (int) nodes.stream().filter(n -> "primary".equals(n.role())).count();
        return new ClusterSummary(c.name(), c.kind(), c.city(), c.primaryIdc(), c.backupIdc(), c.status(), c.shards(),
                c.nodesPerIdc(), primaries, nodes.size() - primaries, c.drIdc());
    }

    public ClusterDetail inspect(ClusterRecord cluster, List<GroupRecord> groups, List<NodeRecord> nodes) {
        Map<String, InstanceStatus> instances = instances(nodes);
        Map<String, ObservedNode> observed = new ConcurrentHashMap<>();
        CompletableFuture.allOf(nodes.stream().map(n -> CompletableFuture.runAsync(
                () -> observed.put(n.name(), ticks.of(n.name()).orElseGet(() -> observe(cluster, n))), pool))
                .toArray(CompletableFuture[]::new)).join();
        List<GroupView> views = new ArrayList<>();
        for (GroupRecord g : groups) {
            Map<String, ObservedNode.Replica> replicas = new HashMap<>();
            nodes.stream().filter(n -> n.group().equals(g.name())).map(n -> observed.get(n.name()))
                    .filter(o -> "primary".equals(o.role())).forEach(o -> replicas.putAll(o.replicas()));
            List<NodeView> members = nodes.stream().filter(n -> n.group().equals(g.name())).map(n -> {
                ObservedNode o = observed.get(n.name());
                InstanceStatus i = instances.get(n.name());
                ObservedNode.Replica r = replicas.get(n.name());
                return new NodeView(n.name(), n.group(), n.idc(), n.address(), n.port(), o.role(), i == null ? 0 : i.pid(),
                        i == null ? n.dataDir() : i.dataDir(), r == null ? "-" : r.syncState(), r == null ? -1 : r.lagBytes(), o.lsn());
            }).toList();
            views.add(new GroupView(g.name(), g.kind(), g.syncStandbys(), g.syncGeneration(), members));
        }
        return new ClusterDetail(summary(cluster, nodes), cluster.database(), cluster.appUser(), cluster.syncPolicy(), views,
                ClusterUriBuilder.of(cluster, nodes));
    }

    private Map<String, InstanceStatus> instances(List<NodeRecord> nodes) {
        Map<String, InstanceStatus> byName = new HashMap<>();
        instanceLists.instances(nodes.stream().map(NodeRecord::agentEndpoint).distinct().toList())
                .values().forEach(list -> list.forEach(i -> byName.put(i.name(), i)));
        return byName;
    }

    private static ObservedNode observe(ClusterRecord cluster, NodeRecord node) {
        try (Connection db = PgSession.open(node.address(), node.port(), "postgres", cluster.superuser(), cluster.superuserPassword(), 2);
             Statement st = db.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() "
                    + "THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END");
            rs.next();
            boolean standby = rs.getBoolean(1);
            String lsn = rs.getString(2);
            Map<String, ObservedNode.Replica> replicas = new HashMap<>();
            if (!standby) {
                ResultSet r = st.executeQuery("SELECT application_name, sync_state, "
                        + "COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), -1)::bigint FROM pg_stat_replication");
                while (r.next()) {
                    replicas.put(r.getString(1), new ObservedNode.Replica(r.getString(2), r.getLong(3)));
                }
            }
            return new ObservedNode(standby ? "standby" : "primary", lsn, replicas);
        } catch (SQLException e) {
            return ObservedNode.down();
        }
    }
}
