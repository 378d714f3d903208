package org.idcguard.agent.manager.cluster;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.task.TaskRunner;
import org.idcguard.model.ClusterPlan;
import org.idcguard.model.ClientNetworks;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.InstanceSpec;
import org.idcguard.model.InstanceStatus;
import org.idcguard.model.PlannedNode;
import org.idcguard.model.TaskView;

/**
 * Creates a cluster from a plan, as a task: the cluster, its groups and nodes are recorded first (status
 * "creating"), then every group is built in parallel (primary by initdb, standbys by base backup, then
 * synchronous replication to the backup IDC), then the application role and database, the coordinator's
 * foreign servers and the sharding function. Any failure rolls the whole cluster back.
 */
public final class ClusterCreation {
    public static final String SUPERUSER = "idcguard_admin";
    private static final long SYNC_WAIT_MILLIS = 30_000;
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final TaskRunner tasks;
    private final ClusterRemoval removal;
    private final List<String> managerAddresses;
    private final ClusterRepository clusters = new ClusterRepository();

    public ClusterCreation(MetadataStore store, EventLog events, NodeAgentClient agents, TaskRunner tasks,
                           ClusterRemoval removal, List<String> managerAddresses) {
        this.store = store;
        this.events = events;
        this.agents = agents;
        this.tasks = tasks;
        this.removal = removal;
        this.managerAddresses = managerAddresses;
    }

    /** Records the cluster as "creating" with every node, then builds it in the background. */
    public TaskView start(ClusterPlan plan) {
        ClusterRequest r = plan.request();
        ClusterRecord cluster = new ClusterRecord(r.name(), r.hasDr() ? ClusterRecord.CROSS_CITY : ClusterRequest.INTRA_CITY,
                r.city().strip(), r.primaryIdc(), r.backupIdc(), r.shardsOrDefault(), r.nodesPerIdcOrDefault(), r.databaseOrDefault(),
                r.appUserOrDefault(), secret(), SUPERUSER, secret(), r.syncPolicyOrDefault(), ClusterRecord.CREATING,
                ClientNetworks.check(r.clientsOrEmpty()), r.hasDr() ? r.drIdc() : null);
        store.inTransaction(c -> {
            clusters.insert(c, cluster);
            for (int g = 0; g < plan.groups().size(); g++) {
                String group = plan.groups().get(g);
                clusters.insertGroup(c, new GroupRecord(cluster.name(), group, g == 0 ? "coordinator" : "shard", g, List.of(), 0));
            }
            for (PlannedNode n : plan.nodes()) {
                clusters.insertNode(c, new NodeRecord(n.name(), cluster.name(), n.group(), n.idc(), n.address(), null, n.port(), "", n.role(), false));
            }
            events.record(c, "cluster.creating", cluster.name(), "Creating cluster " + cluster.name() + ": coordinator and "
                    + cluster.shards() + " shards, " + cluster.nodesPerIdc() + " nodes per group in each of "
                    + cluster.primaryIdc() + " and " + cluster.backupIdc()
                    + (cluster.hasDr() ? ", " + r.drNodesOrDefault() + " asynchronous DR standby(s) per group in " + cluster.drIdc() : "") + ".");
            return null;
        });
        Steps steps = new Steps(plan, cluster);
        return tasks.start("create-cluster", cluster.name(), steps.names(), progress -> build(cluster, plan, steps, progress));
    }

    private String build(ClusterRecord cluster, ClusterPlan plan, Steps steps, TaskRunner.Steps progress) throws Exception {
        long started = System.currentTimeMillis();
        try {
            List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, cluster.name()));
            List<String> clientAddresses = clientAddresses(nodes);
            inParallel(plan.groups().stream().map(group -> (Action) () ->
                    buildGroup(cluster, group, nodesOf(nodes, group), clientAddresses, steps, progress)).toList());
            progress.run(steps.ordinal("database"), () -> createDatabase(cluster, nodes));
            progress.run(steps.ordinal("fdw"), () -> connectShards(cluster, nodes, plan));
            progress.run(steps.ordinal("function"), () -> installShardingFunction(cluster, nodes, plan));
            store.inTransaction(c -> {
                clusters.setStatus(c, cluster.name(), ClusterRecord.RUNNING);
                events.record(c, "cluster.created", cluster.name(), "Cluster " + cluster.name() + " created in "
                        + String.format("%.1f", (System.currentTimeMillis() - started) / 1000.0) + " s; every commit waits for " + cluster.backupIdc() + ".");
                return null;
            });
            return "Cluster " + cluster.name() + " created: " + nodes.size() + " nodes in " + plan.groups().size()
                    + " groups, synchronous to " + cluster.backupIdc() + ".";
        } catch (Exception e) {
            String reason = unwrap(e).getMessage();
            progress.runExtra("Roll back: stop and remove every instance of " + cluster.name(),
                    () -> removal.removeEverything(cluster.name(), tasks.pool()));
            throw new IllegalStateException("Creating " + cluster.name() + " failed: " + reason
                    + " Everything it had made was removed.", e);
        }
    }

    private void buildGroup(ClusterRecord cluster, String group, List<NodeRecord> nodes, List<String> clientAddresses,
                            Steps steps, TaskRunner.Steps progress) throws Exception {
        NodeRecord primary = nodes.stream().filter(n -> InstanceSpec.PRIMARY.equals(n.role())).findFirst().orElseThrow();
        progress.run(steps.ordinal(primary.name()), () -> runInstance(cluster, primary, null, clientAddresses));
        inParallel(nodes.stream().filter(n -> n != primary).map(standby -> (Action) () ->
                progress.run(steps.ordinal(standby.name()), () -> runInstance(cluster, standby, primary, clientAddresses))).toList());
        List<String> syncSet = nodes.stream().filter(n -> n.idc().equals(cluster.backupIdc())).map(NodeRecord::name).toList();
        progress.run(steps.ordinal("sync:" + group), () -> makeSynchronous(cluster, group, primary, syncSet));
    }

    /** Runs one node through its node agent (initdb for a primary, a base backup from primary for a standby) and records its data directory. */
    String runInstance(ClusterRecord cluster, NodeRecord node, NodeRecord primary, List<String> clientAddresses) {
        InstanceSpec spec = new InstanceSpec(node.name(), cluster.name().toLowerCase(), node.port(),
                primary == null ? InstanceSpec.PRIMARY : InstanceSpec.STANDBY,
                primary == null ? null : primary.address(), primary == null ? 0 : primary.port(),
                cluster.superuser(), cluster.superuserPassword(), clientAddresses, cluster.clientNetworks());
        InstanceStatus status = agents.ensureInstance(node.agentEndpoint(), spec);
        store.inTransaction(c -> {
            clusters.setNodeDataDir(c, node.name(), status.dataDir());
            return null;
        });
        return "pid " + status.pid() + ", " + status.dataDir();
    }

    /** Records the sync set (intent), applies it, and waits until the primary reports those standbys as synchronous. */
    private String makeSynchronous(ClusterRecord cluster, String group, NodeRecord primary, List<String> syncSet) throws Exception {
        store.inTransaction(c -> {
            clusters.setSyncSet(c, cluster.name(), group, syncSet);
            clusters.setConfiguredStandbys(c, cluster.name(), group, syncSet);
            return null;
        });
        try (Connection db = PgSession.patient(cluster, primary, "postgres"); Statement st = db.createStatement()) {
            st.execute("ALTER SYSTEM SET synchronous_standby_names = " + PgSession.literal(SyncStandbyNames.of(syncSet)));
            st.execute("SELECT pg_reload_conf()");
            long deadline = System.currentTimeMillis() + SYNC_WAIT_MILLIS;
            while (synchronousCount(db, syncSet) < syncSet.size()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("The standbys of " + group + " in " + cluster.backupIdc()
                            + " did not become synchronous within " + SYNC_WAIT_MILLIS / 1000 + " s.");
                }
                Thread.sleep(100);
            }
        }
        return "synchronous_standby_names = " + SyncStandbyNames.of(syncSet);
    }

    private static int synchronousCount(Connection db, List<String> syncSet) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("SELECT application_name FROM pg_stat_replication "
                + "WHERE state = 'streaming' AND sync_state IN ('sync', 'quorum')")) {
            ResultSet rs = st.executeQuery();
            int n = 0;
            while (rs.next()) {
                if (syncSet.contains(rs.getString(1))) {
                    n++;
                }
            }
            return n;
        }
    }

    private String createDatabase(ClusterRecord cluster, List<NodeRecord> nodes) throws Exception {
        inParallel(primaries(nodes).stream().map(primary -> (Action) () -> {
            try (Connection db = PgSession.patient(cluster, primary, "postgres"); Statement st = db.createStatement()) {
                if (!exists(db, "SELECT 1 FROM pg_roles WHERE rolname = ?", cluster.appUser())) {
                    st.execute("CREATE ROLE " + PgSession.ident(cluster.appUser()) + " LOGIN PASSWORD "
                            + PgSession.literal(cluster.appPassword()));
                    // pg_monitor lets the application's DBA read replication state (pg_stat_replication) without superuser.
                    st.execute("GRANT pg_monitor TO " + PgSession.ident(cluster.appUser()));
                }
                if (!exists(db, "SELECT 1 FROM pg_database WHERE datname = ?", cluster.database())) {
                    st.execute("CREATE DATABASE " + PgSession.ident(cluster.database()) + " OWNER " + PgSession.ident(cluster.appUser()));
                }
            }
        }).toList());
        return "role " + cluster.appUser() + ", database " + cluster.database() + " on " + primaries(nodes).size() + " primaries";
    }

    /** One multi-host foreign server per shard: after a takeover, read-write routing finds the new primary by itself. */
    private String connectShards(ClusterRecord cluster, List<NodeRecord> nodes, ClusterPlan plan) throws SQLException {
        NodeRecord coordinator = primaryOf(nodes, "coordinator");
        try (Connection db = PgSession.patient(cluster, coordinator, cluster.database()); Statement st = db.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw");
            st.execute("CREATE EXTENSION IF NOT EXISTS dblink");
            for (String shard : shards(plan)) {
                List<NodeRecord> members = nodesOf(nodes, shard).stream()
                        .sorted((a, b) -> Boolean.compare(!a.idc().equals(cluster.primaryIdc()), !b.idc().equals(cluster.primaryIdc())))
                        .toList();
                String hosts = members.stream().map(NodeRecord::address).collect(Collectors.joining(","));
                String ports = members.stream().map(n -> Integer.toString(n.port())).collect(Collectors.joining(","));
                st.execute("DROP SERVER IF EXISTS " + PgSession.ident(shard) + " CASCADE");
                st.execute("CREATE SERVER " + PgSession.ident(shard) + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host "
                        + PgSession.literal(hosts) + ", port " + PgSession.literal(ports) + ", dbname " + PgSession.literal(cluster.database())
                        + ", target_session_attrs 'read-write', connect_timeout '2', keepalives '1', keepalives_idle '2', "
                        + "keepalives_interval '1', keepalives_count '2', tcp_user_timeout '3000')");
                st.execute("GRANT USAGE ON FOREIGN SERVER " + PgSession.ident(shard) + " TO " + PgSession.ident(cluster.appUser()));
                for (String user : List.of(cluster.appUser(), cluster.superuser())) {
                    st.execute("CREATE USER MAPPING FOR " + PgSession.ident(user) + " SERVER " + PgSession.ident(shard)
                            + " OPTIONS (user " + PgSession.literal(cluster.appUser()) + ", password " + PgSession.literal(cluster.appPassword()) + ")");
                }
            }
        }
        return shards(plan).size() + " foreign servers on the coordinator";
    }

    private String installShardingFunction(ClusterRecord cluster, List<NodeRecord> nodes, ClusterPlan plan) throws SQLException {
        NodeRecord coordinator = primaryOf(nodes, "coordinator");
        try (Connection db = PgSession.patient(cluster, coordinator, cluster.database()); Statement st = db.createStatement()) {
            st.execute(ShardingSql.createDecisionTable());
            st.execute(ShardingSql.createWriteGate());
            st.execute(ShardingSql.createFunction(shards(plan)));
            st.execute("ALTER FUNCTION " + ShardingSql.FUNCTION + "(text, text, text, int, text) OWNER TO " + PgSession.ident(cluster.appUser()));
        }
        return ShardingSql.FUNCTION + "(table_name, columns, shard_key, partitions, primary_key)";
    }

    /** What every node's pg_hba lets in besides the client networks: the managers and the cluster's computers. */
    List<String> clientAddresses(List<NodeRecord> nodes) {
        List<String> addresses = new ArrayList<>(managerAddresses);
        nodes.stream().map(NodeRecord::address).distinct().filter(a -> !addresses.contains(a)).forEach(addresses::add);
        return addresses;
    }

    private static List<String> shards(ClusterPlan plan) {
        return plan.groups().subList(1, plan.groups().size());
    }

    private static List<NodeRecord> nodesOf(List<NodeRecord> nodes, String group) {
        return nodes.stream().filter(n -> n.group().equals(group)).toList();
    }

    private static List<NodeRecord> primaries(List<NodeRecord> nodes) {
        return nodes.stream().filter(n -> InstanceSpec.PRIMARY.equals(n.role())).toList();
    }

    private static NodeRecord primaryOf(List<NodeRecord> nodes, String group) {
        return nodesOf(nodes, group).stream().filter(n -> InstanceSpec.PRIMARY.equals(n.role())).findFirst().orElseThrow();
    }

    private static boolean exists(Connection db, String sql, String value) throws SQLException {
        try (PreparedStatement st = db.prepareStatement(sql)) {
            st.setString(1, value);
            return st.executeQuery().next();
        }
    }

    private void inParallel(List<Action> actions) throws Exception {
        try {
            CompletableFuture.allOf(actions.stream().map(a -> CompletableFuture.runAsync(() -> {
                try {
                    a.run();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, tasks.pool())).toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            Throwable cause = unwrap(e);
            throw cause instanceof Exception ex ? ex : new IllegalStateException(cause);
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t.getClass() == RuntimeException.class) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String secret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** The task's steps in order, with a key to find each one's ordinal. */
    private static final class Steps {
        private final Map<String, String> byKey = new LinkedHashMap<>();

        Steps(ClusterPlan plan, ClusterRecord cluster) {
            for (String group : plan.groups()) {
                for (PlannedNode n : plan.nodes()) {
                    if (n.group().equals(group)) {
                        boolean dr = cluster.isDr(n.idc());
                        byKey.put(n.name(), (InstanceSpec.PRIMARY.equals(n.role()) ? "Start primary " : dr ? "Copy DR standby " : "Copy standby ")
                                + n.name() + " on " + n.address() + ":" + n.port() + " in " + n.idc()
                                + (InstanceSpec.PRIMARY.equals(n.role()) ? " (initdb, checksums, scram-sha-256)"
                                : dr ? " (base backup, asynchronous)" : " (base backup)"));
                    }
                }
                byKey.put("sync:" + group, "Make " + group + " commit only once " + cluster.backupIdc() + " has the change");
            }
            byKey.put("database", "Create role " + cluster.appUser() + " and database " + cluster.database() + " in every group");
            byKey.put("fdw", "Connect the coordinator to the shards (postgres_fdw, multi-host, read-write)");
            byKey.put("function", "Install the sharding function " + ShardingSql.FUNCTION);
        }

        List<String> names() {
            return List.copyOf(byKey.values());
        }

        int ordinal(String key) {
            int i = 1;
            for (String k : byKey.keySet()) {
                if (k.equals(key)) {
                    return i;
                }
                i++;
            }
            throw new IllegalArgumentException(key);
        }
    }
}
