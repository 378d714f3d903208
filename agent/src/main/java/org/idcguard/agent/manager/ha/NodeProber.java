package org.idcguard.agent.manager.ha;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * Probes one node over a connection kept open between probes (a probe every half second should not cost a
 * backend fork and a SCRAM exchange). A probe that overruns is abandoned by {@link #abort()}: its connection is
 * closed under it and the next probe connects afresh.
 */
final class NodeProber {
    private static final String STATE = "SELECT s.r, (CASE WHEN s.r THEN GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) "
            + "ELSE pg_current_wal_lsn() END)::text, current_setting('default_transaction_read_only'), "
            + "current_setting('synchronous_standby_names'), w.status, w.sender_host, w.sender_port, "
            + "COALESCE((EXTRACT(EPOCH FROM clock_timestamp() - w.last_msg_receipt_time) * 1000)::bigint, -1), "
            + "current_setting('primary_conninfo') <> '', "
            // when the lease file was last written, as the node stamps it: compared only with its own earlier stamps
            + "COALESCE((EXTRACT(EPOCH FROM (pg_stat_file('" + org.idcguard.model.RoleLease.FILE + "', true)).modification) * 1000)::bigint, -1), "
            + "position('idcguard_lease' in current_setting('shared_preload_libraries')) > 0 "
            + "FROM (SELECT pg_is_in_recovery() AS r) s LEFT JOIN pg_stat_wal_receiver w ON true";
    private static final String REPLICAS = "SELECT application_name, state, COALESCE(sync_state, ''), "
            + "COALESCE(flush_lsn, '0/0')::text, COALESCE((EXTRACT(EPOCH FROM replay_lag) * 1000)::bigint, 0) FROM pg_stat_replication";
    private final NodeRecord node;
    private final ClusterRecord cluster;
    private final java.util.concurrent.atomic.AtomicReference<Connection> connection = new java.util.concurrent.atomic.AtomicReference<>();

    NodeProber(ClusterRecord cluster, NodeRecord node) {
        this.cluster = cluster;
        this.node = node;
    }

    NodeObservation probe(int timeoutMillis) throws SQLException {
        Connection c = connection.get();
        boolean kept = true;
        if (c == null) {
            c = open(timeoutMillis);
            kept = connection.compareAndSet(null, c); // false when a late, abandoned probe connected meanwhile
        }
        try (Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery(STATE);
            rs.next();
            boolean standby = rs.getBoolean(1);
            long lsn = Lsn.parse(rs.getString(2));
            boolean readOnly = "on".equals(rs.getString(3));
            String syncNames = rs.getString(4);
            boolean upstreamSet = rs.getBoolean(9);
            long leaseStamp = rs.getLong(10);
            boolean leaseCheck = rs.getBoolean(11);
            Optional<NodeObservation.Receiver> receiver = rs.getString(5) == null ? Optional.empty()
                    : Optional.of(new NodeObservation.Receiver(rs.getString(5), rs.getString(6), rs.getInt(7), rs.getLong(8)));
            List<NodeObservation.Replica> replicas = new ArrayList<>();
            if (!standby) {
                ResultSet r = st.executeQuery(REPLICAS);
                while (r.next()) {
                    replicas.add(new NodeObservation.Replica(r.getString(1), r.getString(2), r.getString(3), Lsn.parse(r.getString(4)),
                            r.getLong(5)));
                }
            }
            return new NodeObservation(standby, lsn, readOnly, syncNames, receiver, replicas, upstreamSet, leaseStamp, leaseCheck);
        } catch (SQLException | RuntimeException e) {
            discard(c);
            throw e;
        } finally {
            if (!kept) {
                c.abort(Runnable::run);
            }
        }
    }

    private Connection open(int timeoutMillis) throws SQLException {
        int seconds = Math.max(1, (timeoutMillis + 999) / 1000);
        Properties p = new Properties();
        p.setProperty("user", cluster.superuser());
        p.setProperty("password", cluster.superuserPassword());
        p.setProperty("connectTimeout", Integer.toString(seconds));
        p.setProperty("loginTimeout", Integer.toString(seconds));
        p.setProperty("socketTimeout", "10"); // an overrunning probe is aborted long before this
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "idcguard-probe");
        return DriverManager.getConnection("jdbc:postgresql://" + node.address() + ":" + node.port() + "/postgres", p);
    }

    /** Closes the connection under a probe that overran (or failed); safe from any thread. */
    void abort() {
        discard(connection.get());
    }

    /** Drops this connection only: a late failure of an abandoned probe must not close its successor's. */
    private void discard(Connection c) {
        if (c != null && connection.compareAndSet(c, null)) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // the connection is gone either way
            }
        }
    }
}
