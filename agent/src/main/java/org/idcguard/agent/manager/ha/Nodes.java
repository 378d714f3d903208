package org.idcguard.agent.manager.ha;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * What a takeover and its recovery do to PostgreSQL: the statements of {@link NodeSql}, one at a time or over a
 * session kept for the operation. {@link SqlNodes} in production; the deterministic simulation answers them from its
 * model of PostgreSQL, which real-process tests pin.
 */
interface Nodes {

    /** A session to one node, kept across the steps of one operation. */
    interface Session {
        String node();

        /** Empties primary_conninfo and waits until the WAL receiver is gone; the timeline and position it holds then. */
        WalPosition detach() throws SQLException;

        void setSyncStandbys(List<String> standbys) throws SQLException;

        /** Promotes and returns once the node is out of recovery. */
        void promote() throws SQLException;

        void repoint(ClusterRecord cluster, NodeRecord upstream) throws SQLException;

        long position() throws SQLException;

        /** Whether the error says the session itself broke (the node restarted), so that a fresh login may succeed. */
        boolean broken(SQLException e);

        void close();
    }

    /** The kept idle session to the node, or a fresh login. */
    Session lend(ClusterRecord cluster, NodeRecord node, int loginSeconds) throws SQLException;

    /** A fresh login, for when a lent session turned out to be broken. */
    Session fresh(ClusterRecord cluster, NodeRecord node, int loginSeconds) throws SQLException;

    /** An admin login with the usual timeout. */
    Session open(ClusterRecord cluster, NodeRecord node) throws SQLException;

    /** Keeps a session that still works for the next action on its node. */
    void giveBack(Session session);

    Optional<Boolean> inRecovery(ClusterRecord cluster, NodeRecord node);

    Optional<Boolean> promotionRequested(ClusterRecord cluster, NodeRecord node);

    long position(ClusterRecord cluster, NodeRecord node) throws SQLException;

    void setSyncStandbys(ClusterRecord cluster, NodeRecord node, List<String> standbys) throws SQLException;

    void promote(ClusterRecord cluster, NodeRecord node) throws SQLException;

    void repoint(ClusterRecord cluster, NodeRecord standby, NodeRecord upstream) throws SQLException;

    /** A checkpoint on the primary. */
    void checkpoint(ClusterRecord cluster, NodeRecord primary) throws SQLException;

    /** Ends the primary's WAL segment; where the next one starts. */
    long switchSegment(ClusterRecord cluster, NodeRecord primary) throws SQLException;

    /**
     * The standbys the primary's commits wait for, once one of them streaming has flushed past the primary's position
     * of the moment asked (every commit acknowledged before is then on one it waits for); empty when none has within a
     * few seconds, when it waits for nobody, or when it does not answer.
     */
    Optional<List<String>> waitedForOnceCovered(ClusterRecord cluster, NodeRecord primary);

    /** Stops a node from a superuser session when its agent does not answer (see NodeSql#fenceBySql); how, for the event. */
    String fenceBySql(ClusterRecord cluster, NodeRecord node) throws SQLException;

    /** One small record on the primary, flushed locally only (see Rejoiner). */
    void nudgeWal(ClusterRecord cluster, NodeRecord primary) throws SQLException;

    /** How far a standby has replayed its WAL. */
    long replayed(ClusterRecord cluster, NodeRecord node) throws SQLException;

    /** The recovery target (a restore point's name) the node runs with, empty for none. */
    String recoveryTarget(ClusterRecord cluster, NodeRecord node) throws SQLException;

    /** Gives a standby a restore point to stop and pause at, from its next start. */
    void setRecoveryTarget(ClusterRecord cluster, NodeRecord node, String point) throws SQLException;

    /** Removes the node's recovery target (from its next start). */
    void clearRecoveryTarget(ClusterRecord cluster, NodeRecord node) throws SQLException;

    /** Whether the standby has replayed up to its recovery target and paused there. */
    boolean pausedAtTarget(ClusterRecord cluster, NodeRecord node) throws SQLException;
}
