package org.idcguard.agent.manager.ha;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.PgSession;

/** {@link Nodes} on real PostgreSQL: {@link NodeSql}'s statements, sessions from {@link ActionSessions}. */
final class SqlNodes implements Nodes {
    private final ActionSessions warm;

    SqlNodes(ActionSessions warm) {
        this.warm = warm;
    }

    private record SqlSession(NodeRecord record, Connection db) implements Session {
        @Override
        public String node() {
            return record.name();
        }

        @Override
        public WalPosition detach() throws SQLException {
            return NodeSql.detach(db, record);
        }

        @Override
        public void setSyncStandbys(List<String> standbys) throws SQLException {
            NodeSql.setSyncStandbys(db, standbys);
        }

        @Override
        public void promote() throws SQLException {
            NodeSql.promote(db, record);
        }

        @Override
        public void repoint(ClusterRecord cluster, NodeRecord upstream) throws SQLException {
            NodeSql.repoint(db, cluster, record, upstream);
        }

        @Override
        public long position() throws SQLException {
            return NodeSql.position(db);
        }

        @Override
        public boolean broken(SQLException e) {
            return ActionSessions.broken(db, e);
        }

        @Override
        public void close() {
            ActionSessions.closeQuietly(db);
        }
    }

    @Override
    public Session lend(ClusterRecord cluster, NodeRecord node, int loginSeconds) throws SQLException {
        return new SqlSession(node, warm.lend(cluster, node, loginSeconds));
    }

    @Override
    public Session fresh(ClusterRecord cluster, NodeRecord node, int loginSeconds) throws SQLException {
        return new SqlSession(node, warm.fresh(cluster, node, loginSeconds));
    }

    @Override
    public Session open(ClusterRecord cluster, NodeRecord node) throws SQLException {
        return new SqlSession(node, PgSession.admin(cluster, node, "postgres"));
    }

    @Override
    public void giveBack(Session session) {
        warm.giveBack(session.node(), ((SqlSession) session).db());
    }

    @Override
    public Optional<Boolean> inRecovery(ClusterRecord cluster, NodeRecord node) {
        return NodeSql.inRecovery(cluster, node);
    }

    @Override
    public Optional<Boolean> promotionRequested(ClusterRecord cluster, NodeRecord node) {
        return NodeSql.promotionRequested(cluster, node);
    }

    @Override
    public long position(ClusterRecord cluster, NodeRecord node) throws SQLException {
        return NodeSql.position(cluster, node);
    }

    @Override
    public void setSyncStandbys(ClusterRecord cluster, NodeRecord node, List<String> standbys) throws SQLException {
        NodeSql.setSyncStandbys(cluster, node, standbys);
    }

    @Override
    public void promote(ClusterRecord cluster, NodeRecord node) throws SQLException {
        NodeSql.promote(cluster, node);
    }

    @Override
    public void repoint(ClusterRecord cluster, NodeRecord standby, NodeRecord upstream) throws SQLException {
        NodeSql.repoint(cluster, standby, upstream);
    }

    @Override
    public void checkpoint(ClusterRecord cluster, NodeRecord primary) throws SQLException {
        NodeSql.checkpoint(cluster, primary);
    }

    @Override
    public long switchSegment(ClusterRecord cluster, NodeRecord primary) throws SQLException {
        return NodeSql.switchSegment(cluster, primary);
    }

    @Override
    public Optional<List<String>> waitedForOnceCovered(ClusterRecord cluster, NodeRecord primary) {
        return NodeSql.waitedForOnceCovered(cluster, primary);
    }

    @Override
    public String fenceBySql(ClusterRecord cluster, NodeRecord node) throws SQLException {
        return NodeSql.fenceBySql(cluster, node);
    }

    @Override
    public void nudgeWal(ClusterRecord cluster, NodeRecord primary) throws SQLException {
        NodeSql.nudgeWal(cluster, primary);
    }

    @Override
    public long replayed(ClusterRecord cluster, NodeRecord node) throws SQLException {
        return NodeSql.replayed(cluster, node);
    }

    @Override
    public String recoveryTarget(ClusterRecord cluster, NodeRecord node) throws SQLException {
        return NodeSql.recoveryTarget(cluster, node);
    }

    @Override
    public void setRecoveryTarget(ClusterRecord cluster, NodeRecord node, String point) throws SQLException {
        NodeSql.setRecoveryTarget(cluster, node, point);
    }

    @Override
    public void clearRecoveryTarget(ClusterRecord cluster, NodeRecord node) throws SQLException {
        NodeSql.clearRecoveryTarget(cluster, node);
    }

    @Override
    public boolean pausedAtTarget(ClusterRecord cluster, NodeRecord node) throws SQLException {
        return NodeSql.pausedAtTarget(cluster, node);
    }
}
