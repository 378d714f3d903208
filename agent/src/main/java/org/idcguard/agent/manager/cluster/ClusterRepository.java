package org.idcguard.agent.manager.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** SQL for clusters, their groups and nodes. */
public final class ClusterRepository {
    private static final String CLUSTER_COLUMNS = "name, kind, city, primary_idc, backup_idc, shard_count, nodes_per_idc, "
            + "database_name, app_user, app_password, superuser, superuser_password, sync_policy, status, client_networks, dr_idc";
    private static final String NODE_COLUMNS = "n.name, n.cluster, n.group_name, n.idc, n.computer_address, c.agent_endpoint, "
            + "n.port, n.data_dir, n.role, n.needs_rejoin";

    public List<ClusterRecord> all(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + CLUSTER_COLUMNS + " FROM cluster ORDER BY name")) {
            return readClusters(st.executeQuery());
        }
    }

    public Optional<ClusterRecord> find(Connection c, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + CLUSTER_COLUMNS + " FROM cluster WHERE name = ?")) {
            st.setString(1, name);
            return readClusters(st.executeQuery()).stream().findFirst();
        }
    }

    public Optional<ClusterRecord> findIgnoringCase(Connection c, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + CLUSTER_COLUMNS + " FROM cluster WHERE LOWER(name) = LOWER(?)")) {
            st.setString(1, name);
            return readClusters(st.executeQuery()).stream().findFirst();
        }
    }

    public void insert(Connection c, ClusterRecord r) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO cluster (" + CLUSTER_COLUMNS + ", created_millis) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            st.setString(1, r.name());
            st.setString(2, r.kind());
            st.setString(3, r.city());
            st.setString(4, r.primaryIdc());
            st.setString(5, r.backupIdc());
            st.setInt(6, r.shards());
            st.setInt(7, r.nodesPerIdc());
            st.setString(8, r.database());
            st.setString(9, r.appUser());
            st.setString(10, org.idcguard.agent.manager.SecretColumns.seal(r.appPassword()));
            st.setString(11, r.superuser());
            st.setString(12, org.idcguard.agent.manager.SecretColumns.seal(r.superuserPassword()));
            st.setString(13, r.syncPolicy());
            st.setString(14, r.status());
            st.setString(15, String.join(",", r.clientNetworks()));
            st.setString(16, r.drIdc());
            st.setLong(17, System.currentTimeMillis());
            st.executeUpdate();
        }
    }

    public void setStatus(Connection c, String cluster, String status) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE cluster SET status = ? WHERE name = ?")) {
            st.setString(1, status);
            st.setString(2, cluster);
            st.executeUpdate();
        }
    }

    public void setClientNetworks(Connection c, String cluster, List<String> networks) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE cluster SET client_networks = ? WHERE name = ?")) {
            st.setString(1, String.join(",", networks));
            st.setString(2, cluster);
            st.executeUpdate();
        }
    }

    public void insertGroup(Connection c, GroupRecord g) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO replication_group (cluster, name, kind, ordinal) VALUES (?, ?, ?, ?)")) {
            st.setString(1, g.cluster());
            st.setString(2, g.name());
            st.setString(3, g.kind());
            st.setInt(4, g.ordinal());
            st.executeUpdate();
        }
    }

    public List<GroupRecord> groups(Connection c, String cluster) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT cluster, name, kind, ordinal, sync_standbys, sync_generation, configured_standbys "
                + "FROM replication_group WHERE cluster = ? ORDER BY ordinal")) {
            st.setString(1, cluster);
            ResultSet rs = st.executeQuery();
            List<GroupRecord> groups = new ArrayList<>();
            while (rs.next()) {
                groups.add(new GroupRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        names(rs.getString(5)), rs.getLong(6), names(rs.getString(7))));
            }
            return groups;
        }
    }

    /** Records a new sync set: the generation grows by one at every change. */
    public void setSyncSet(Connection c, String cluster, String group, List<String> standbys) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE replication_group SET sync_standbys = ?, "
                + "sync_generation = sync_generation + 1 WHERE cluster = ? AND name = ?")) {
            st.setString(1, String.join(",", standbys));
            st.setString(2, cluster);
            st.setString(3, group);
            st.executeUpdate();
        }
    }

    /**
     * Records which standbys the group's primary may wait for. Called before synchronous_standby_names is changed on a
     * node (with the union of the old and new sets) and again after (with the new set alone).
     */
    public void setConfiguredStandbys(Connection c, String cluster, String group, java.util.Collection<String> standbys)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE replication_group SET configured_standbys = ? "
                + "WHERE cluster = ? AND name = ?")) {
            st.setString(1, String.join(",", new java.util.TreeSet<>(standbys)));
            st.setString(2, cluster);
            st.setString(3, group);
            st.executeUpdate();
        }
    }

    private static List<String> names(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
    }

    public void insertNode(Connection c, NodeRecord n) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO node (name, cluster, group_name, idc, computer_address, port, "
                + "data_dir, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            st.setString(1, n.name());
            st.setString(2, n.cluster());
            st.setString(3, n.group());
            st.setString(4, n.idc());
            st.setString(5, n.address());
            st.setInt(6, n.port());
            st.setString(7, n.dataDir() == null ? "" : n.dataDir());
            st.setString(8, n.role());
            st.executeUpdate();
        }
    }

    public void setNodeDataDir(Connection c, String node, String dataDir) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE node SET data_dir = ? WHERE name = ?")) {
            st.setString(1, dataDir);
            st.setString(2, node);
            st.executeUpdate();
        }
    }

    public List<NodeRecord> nodes(Connection c, String cluster) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + NODE_COLUMNS + " FROM node n JOIN computer c "
                + "ON c.address = n.computer_address WHERE n.cluster = ? ORDER BY n.group_name, n.name")) {
            st.setString(1, cluster);
            ResultSet rs = st.executeQuery();
            List<NodeRecord> nodes = new ArrayList<>();
            while (rs.next()) {
                nodes.add(new NodeRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getInt(7), rs.getString(8), rs.getString(9), rs.getBoolean(10)));
            }
            return nodes;
        }
    }

    /** Records a node's role; a node made standby by a failover may also be marked for rewind before it rejoins. */
    public void setRole(Connection c, String node, String role, boolean needsRejoin) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE node SET role = ?, needs_rejoin = ? WHERE name = ?")) {
            st.setString(1, role);
            st.setBoolean(2, needsRejoin);
            st.setString(3, node);
            st.executeUpdate();
        }
    }

    /** The cluster's primary and backup IDC after a takeover or switch moved every primary. */
    public void setIdcs(Connection c, String cluster, String primaryIdc, String backupIdc) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE cluster SET primary_idc = ?, backup_idc = ? WHERE name = ?")) {
            st.setString(1, primaryIdc);
            st.setString(2, backupIdc);
            st.setString(3, cluster);
            st.executeUpdate();
        }
    }

    /** Gives the cluster a DR IDC (cross-city) or takes it away (null: intra-city again). */
    public void setDr(Connection c, String cluster, String drIdc) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE cluster SET dr_idc = ?, kind = ? WHERE name = ?")) {
            st.setString(1, drIdc);
            st.setString(2, drIdc == null ? "intra-city" : ClusterRecord.CROSS_CITY);
            st.setString(3, cluster);
            st.executeUpdate();
        }
    }

    public void deleteNode(Connection c, String node) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("DELETE FROM node WHERE name = ?")) {
            st.setString(1, node);
            st.executeUpdate();
        }
    }

    /** Ports already given to nodes on this computer. */
    public List<Integer> portsOn(Connection c, String address) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT port FROM node WHERE computer_address = ?")) {
            st.setString(1, address);
            ResultSet rs = st.executeQuery();
            List<Integer> ports = new ArrayList<>();
            while (rs.next()) {
                ports.add(rs.getInt(1));
            }
            return ports;
        }
    }

    /** Removes the cluster and everything recorded under it. */
    public void deleteAll(Connection c, String cluster) throws SQLException {
        for (String sql : List.of("DELETE FROM node WHERE cluster = ?", "DELETE FROM replication_group WHERE cluster = ?",
                "DELETE FROM cluster WHERE name = ?")) {
            try (PreparedStatement st = c.prepareStatement(sql)) {
                st.setString(1, cluster);
                st.executeUpdate();
            }
        }
    }

    public int clustersUsing(Connection c, String idc) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM cluster WHERE primary_idc = ? OR backup_idc = ? OR dr_idc = ? "
                + "OR name IN (SELECT cluster FROM node WHERE idc = ?)")) {
            for (int i = 1; i <= 4; i++) {
                st.setString(i, idc);
            }
            ResultSet rs = st.executeQuery();
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Encrypts the passwords of clusters written before the metadata kept them encrypted; returns how many. */
    int sealClearPasswords(Connection c) throws SQLException {
        List<String[]> clear = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT name, app_password, superuser_password FROM cluster");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                if (!org.idcguard.agent.manager.SecretColumns.sealed(rs.getString(2))
                        || !org.idcguard.agent.manager.SecretColumns.sealed(rs.getString(3))) {
                    clear.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
        }
        for (String[] row : clear) {
            try (PreparedStatement st = c.prepareStatement("UPDATE cluster SET app_password = ?, superuser_password = ? WHERE name = ?")) {
                st.setString(1, org.idcguard.agent.manager.SecretColumns.seal(org.idcguard.agent.manager.SecretColumns.open(row[1])));
                st.setString(2, org.idcguard.agent.manager.SecretColumns.seal(org.idcguard.agent.manager.SecretColumns.open(row[2])));
                st.setString(3, row[0]);
                st.executeUpdate();
            }
        }
        return clear.size();
    }

    private static List<ClusterRecord> readClusters(ResultSet rs) throws SQLException {
        List<ClusterRecord> all = new ArrayList<>();
        while (rs.next()) {
            all.add(new ClusterRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getInt(6), rs.getInt(7), rs.getString(8), rs.getString(9),
                    org.idcguard.agent.manager.SecretColumns.open(rs.getString(10)), rs.getString(11),
                    org.idcguard.agent.manager.SecretColumns.open(rs.getString(12)), rs.getString(13), rs.getString(14), names(rs.getString(15)), rs.getString(16)));
        }
        return all;
    }
}
