package org.idcguard.agent.manager.ha;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.PgSession;

/**
 * Puts each shard's current primary first in the coordinator's foreign-server host list. read-write routing would
 * find it anyway, but libpq waits out the connect timeout (at least 2 s) on every black-holed host before it, so a
 * frozen IDC listed first would cost seconds on every new shard connection.
 */
final class ShardRouting {
    private ShardRouting() {
    }

    /** Updates the servers whose host order is stale; returns how many changed. */
    static int apply(ClusterRecord cluster, NodeRecord coordinator, List<NodeRecord> nodes) throws SQLException {
        int changed = 0;
        try (Connection db = PgSession.admin(cluster, coordinator, cluster.database()); Statement st = db.createStatement()) {
            for (String shard : nodes.stream().map(NodeRecord::group).filter(g -> !"coordinator".equals(g)).distinct().toList()) {
                List<NodeRecord> members = order(nodes.stream().filter(n -> n.group().equals(shard)).toList());
                String hosts = members.stream().map(NodeRecord::address).collect(Collectors.joining(","));
                String ports = members.stream().map(n -> Integer.toString(n.port())).collect(Collectors.joining(","));
                if (!current(db, shard).equals(List.of(hosts, ports))) {
                    st.execute("ALTER SERVER " + PgSession.ident(shard) + " OPTIONS (SET host " + PgSession.literal(hosts)
                            + ", SET port " + PgSession.literal(ports) + ")");
                    changed++;
                }
            }
        }
        return changed;
    }

    /** The primary first, then the standbys of its IDC, then the rest. */
    static List<NodeRecord> order(List<NodeRecord> members) {
        String primaryIdc = members.stream().filter(NodeRecord::isPrimary).map(NodeRecord::idc).findFirst().orElse("");
        return members.stream().sorted(Comparator.comparing((NodeRecord n) -> !n.isPrimary())
                .thenComparing(n -> !n.idc().equals(primaryIdc)).thenComparing(NodeRecord::name)).toList();
    }

    private static List<String> current(Connection db, String server) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("SELECT (SELECT option_value FROM pg_options_to_table(srvoptions) WHERE option_name = 'host'), "
                + "(SELECT option_value FROM pg_options_to_table(srvoptions) WHERE option_name = 'port') FROM pg_foreign_server WHERE srvname = ?")) {
            st.setString(1, server);
            ResultSet rs = st.executeQuery();
            return rs.next() ? List.of(String.valueOf(rs.getString(1)), String.valueOf(rs.getString(2))) : List.of("", "");
        }
    }
}
