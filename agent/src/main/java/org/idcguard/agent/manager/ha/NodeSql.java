package org.idcguard.agent.manager.ha;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeEpoch;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.PgSession;
import org.idcguard.agent.manager.cluster.SyncStandbyNames;
import org.idcguard.model.StandbyConninfo;

/** The statements the HA engine runs on nodes, each on a short-lived superuser connection. */
final class NodeSql {
    private NodeSql() {
    }

    /**
     * The permission for a change, asked on the session that makes it just before: this manager leads, and no newer
     * leader has fenced the node with its epoch ({@link NodeEpoch}); the first change of an epoch raises the fence.
     */
    private static void mayChange(Connection db) throws SQLException {
        NodeEpoch.admit(db);
    }

    /** Sets what the node's commits wait for (also on a standby about to be promoted); returns its WAL position after. */
    static long setSyncStandbys(ClusterRecord cluster, NodeRecord node, List<String> standbys) throws SQLException {
        try (Connection db = PgSession.admin(cluster, node, "postgres")) {
            return setSyncStandbys(db, standbys);
        }
    }

    static long setSyncStandbys(Connection db, List<String> standbys) throws SQLException {
        mayChange(db);
        try (Statement st = db.createStatement()) {
            st.execute("ALTER SYSTEM SET synchronous_standby_names = " + PgSession.literal(SyncStandbyNames.of(standbys)));
            st.execute("SELECT pg_reload_conf()");
            return position(st);
        }
    }

    /** Points a standby's WAL receiver at another node; it reconnects at once (primary_conninfo reloads). */
    static void repoint(ClusterRecord cluster, NodeRecord standby, NodeRecord upstream) throws SQLException {
        try (Connection db = PgSession.admin(cluster, standby, "postgres")) {
            repoint(db, cluster, standby, upstream);
        }
    }

    /** The same over a session the caller holds (a failover keeps the one it detached the standby with). */
    static void repoint(Connection db, ClusterRecord cluster, NodeRecord standby, NodeRecord upstream) throws SQLException {
        mayChange(db);
        try (Statement st = db.createStatement()) {
            String conninfo = StandbyConninfo.of(upstream.address(), upstream.port(), cluster.superuser(),
                    StandbyConninfo.passfile(standby.dataDir(), standby.name()), standby.name());
            st.execute("ALTER SYSTEM SET primary_conninfo = " + PgSession.literal(conninfo));
            st.execute("SELECT pg_reload_conf()");
        }
    }

    /**
     * Detaches a standby from whatever it streams from: primary_conninfo emptied and reloaded, then waited on until its
     * WAL receiver is gone. From then on it acknowledges nothing to anybody, so the position it returns is fixed: the
     * fence of DESIGN "Automatic IDC takeover", step 0. The session stays the caller's: a failover goes on using it.
     */
    static WalPosition detach(Connection db, NodeRecord standby) throws SQLException {
        mayChange(db);
        try (Statement st = db.createStatement()) {
            st.setQueryTimeout(5);
            st.execute("ALTER SYSTEM SET primary_conninfo = ''");
            st.execute("SELECT pg_reload_conf()");
            long deadline = System.currentTimeMillis() + 5000;
            while (receiverRuns(st)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new SQLException(standby.name() + " kept its WAL receiver 5 s after it was detached.");
                }
                pauseBriefly(standby);
            }
            // Read only now that nothing more arrives: the timeline and the position then describe the same WAL.
            return new WalPosition(heldTimeline(st, standby), position(st));
        }
    }

    /**
     * The newest timeline a node holds WAL of: the highest timeline among the WAL segment files in its pg_wal. A segment's
     * name carries the timeline of the WAL written into it (a recycled segment is renamed with the timeline being replayed
     * or written), and a standby holds segments of a timeline only once it has received, restored or been rewound onto WAL
     * of it; segments of an older timeline kept beside them do not matter, as the newest one wins. The position a standby
     * reports is on that timeline: WAL before a switch point belongs to both timelines.
     *
     * <p>Not pg_stat_wal_receiver: its row is gone once the receiver has exited (the upstream was killed), and after a
     * restart until a receiver connects. Not pg_control_checkpoint(): on a standby that is the timeline of its last
     * restartpoint, which moves on only at its next one (up to checkpoint_timeout later), so a standby that follows a
     * promoted node but has made no restartpoint since would read the old timeline, compare as behind one that has, and
     * lose the commits only it acknowledged. Not history files: a standby fetches a timeline's history before it holds
     * any WAL of it (and ancestors' files are written by {@code TimelineHistories}). Nor ".partial" files: the old
     * timeline's last segment a promoted node kept, always next to segments of its new timeline.
     */
    private static int heldTimeline(Statement st, NodeRecord node) throws SQLException {
        // Segment names are 24 upper-case hex digits, timeline first: in "C" order the greatest has the newest timeline.
        ResultSet rs = st.executeQuery("SELECT max(left(name, 8) COLLATE \"C\") FROM pg_ls_waldir() "
                + "WHERE name ~ '^[0-9A-F]{24}$'");
        rs.next();
        String newest = rs.getString(1);
        if (newest == null) {
            throw new SQLException(node.name() + " holds no WAL segment in pg_wal: its timeline is unknown.");
        }
        return Integer.parseUnsignedInt(newest, 16);
    }

    private static boolean receiverRuns(Statement st) throws SQLException {
        ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_wal_receiver");
        rs.next();
        return rs.getLong(1) > 0;
    }

    private static void pauseBriefly(NodeRecord node) throws SQLException {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while " + node.name() + " was being changed.");
        }
    }

    /** Promotes a standby and returns once it is out of recovery and takes writes. */
    static void promote(ClusterRecord cluster, NodeRecord node) throws SQLException {
        try (Connection db = PgSession.admin(cluster, node, "postgres")) {
            promote(db, node);
        }
    }

    /** Promotes over a connection opened beforehand (a planned switch keeps connection set-up out of the write pause). */
    static void promote(Connection db, NodeRecord node) throws SQLException {
        mayChange(db);
        // pg_promote(wait => true) looks every 100 ms; asking ourselves every 10 ms shortens the pause.
        try (Statement st = db.createStatement()) {
            st.executeQuery("SELECT pg_promote(false)").close();
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                ResultSet check = st.executeQuery("SELECT pg_is_in_recovery()");
                check.next();
                if (!check.getBoolean(1)) {
                    return;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new SQLException(node.name() + " did not finish promotion within 30 s.");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("Interrupted while " + node.name() + " was being promoted.");
                }
            }
        }
    }

    /** How long a fenced node may take to stop letting sessions in: a fast shutdown ends them at once. */
    private static final long STOP_WAIT_MILLIS = 10_000;

    /**
     * The fence for a node that wrongly takes writes when its node agent cannot stop it: the node is stopped through
     * the manager's own superuser session. Settings alone do not fence: any session may turn
     * default_transaction_read_only off or set synchronous_commit = local and commit, and a role change made by the
     * fence itself would wait on the impossible sync set. Returns how it was stopped, for the event.
     * <p>
     * Throws when the node does not answer SQL or does not stop in time; the HA loop reports that and retries.
     */
    static String fenceBySql(ClusterRecord cluster, NodeRecord node) throws SQLException {
        PgSession.checkMayChange();
        int postmaster;
        SQLException signalled = null;
        try (Connection db = PgSession.admin(cluster, node, "postgres"); Statement st = db.createStatement()) {
            st.setQueryTimeout(5);
            mayChange(db);
            // Nothing this session runs may wait for the standby that is made impossible next.
            st.execute("SET synchronous_commit = local");
            // First, since it takes effect at the reload without waiting (ALTER SYSTEM writes a file, not a
            // transaction): from then on no commit is acknowledged to a client that waits for a standby, and it
            // stays so if the node is ever started again before its rewind.
            st.execute("ALTER SYSTEM SET synchronous_standby_names = '\"idcguard_fenced\"'");
            st.execute("SELECT pg_reload_conf()");
            // The postmaster's pid is the first line of postmaster.pid in the data directory it runs from (a relative
            // path is read there), so no path from the record goes into the shell command: only a number we parsed.
            ResultSet rs = st.executeQuery("SELECT split_part(pg_read_file('postmaster.pid'), E'\\n', 1)");
            rs.next();
            try {
                postmaster = Integer.parseInt(rs.getString(1).trim());
            } catch (NumberFormatException e) {
                throw new SQLException(node.name() + "'s postmaster.pid does not begin with a process id.");
            }
            if (postmaster <= 1) {
                throw new SQLException(node.name() + "'s postmaster.pid names process " + postmaster + ".");
            }
            // SIGINT, a fast shutdown, rather than SIGQUIT (immediate): both end every session at once and refuse new
            // ones, and neither waits for a synchronous standby (a backend waiting for one is terminated, and a
            // terminated wait, unlike a cancelled one, does not report the commit as done). Fast also writes a
            // shutdown checkpoint after the sessions are gone, so the data directory is left clean for pg_rewind and
            // the node agent's next start, where immediate leaves crash recovery to them. The program runs as the
            // PostgreSQL OS user, the postmaster's own, and may be ended with this session by the shutdown.
            try {
                st.execute("COPY (SELECT 1) TO PROGRAM 'kill -INT " + postmaster + "'");
            } catch (SQLException endedWithTheShutdown) {
                signalled = endedWithTheShutdown;
            }
        }
        return awaitStopped(cluster, node, postmaster, signalled);
    }

    /** Waits until the node takes no session any more: the proof that the fence holds for every role. */
    private static String awaitStopped(ClusterRecord cluster, NodeRecord node, int postmaster, SQLException signalled)
            throws SQLException {
        long deadline = System.currentTimeMillis() + STOP_WAIT_MILLIS;
        String lastRefusal = null;
        while (true) {
            try (Connection db = PgSession.open(node.address(), node.port(), "postgres", cluster.superuser(),
                    cluster.superuserPassword(), 1); Statement st = db.createStatement()) {
                st.execute("SELECT 1");
                lastRefusal = null; // it still lets sessions in
            } catch (SQLException refused) {
                // Only a refused TCP connection proves the postmaster is gone; a timeout or a full server does not.
                if (refused.getCause() instanceof java.net.ConnectException) {
                    return "stopped by a fast shutdown signalled to its postmaster (pid " + postmaster + ") from the "
                            + "manager's superuser session; it refuses connections";
                }
                // "the database system is shutting down": sessions are ended, its checkpoint runs
                lastRefusal = "57P03".equals(refused.getSQLState()) ? refused.getMessage() : null;
            }
            if (System.currentTimeMillis() > deadline) {
                if (lastRefusal != null) {
                    // Every session is ended and none is let in; what remains is its shutdown checkpoint.
                    return "made to shut down fast by a signal to its postmaster (pid " + postmaster + ") from the "
                            + "manager's superuser session; its sessions are ended and it refuses new ones while it finishes";
                }
                SQLException still = new SQLException(node.name() + " did not stop within " + STOP_WAIT_MILLIS / 1000
                        + " s of a fast shutdown signalled to its postmaster (pid " + postmaster + ").");
                if (signalled != null) {
                    still.addSuppressed(signalled);
                }
                throw still;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("Interrupted while " + node.name() + " was being stopped.");
            }
        }
    }

    /**
     * A checkpoint on a freshly promoted primary: pg_rewind reads the source's timeline from its control file, which
     * shows the new timeline only after the first checkpoint since promotion.
     */
    static void checkpoint(ClusterRecord cluster, NodeRecord node) throws SQLException {
        PgSession.checkMayChange();
        try (Connection db = PgSession.admin(cluster, node, "postgres"); Statement st = db.createStatement()) {
            mayChange(db);
            st.execute("CHECKPOINT");
        }
    }

    /**
     * Writes one small WAL record on the primary (a commit of an empty transaction with an xid), flushed locally only:
     * it must not wait for a standby, and it carries no data. See {@link Rejoiner} for why a rewound standby needs it.
     */
    static void nudgeWal(ClusterRecord cluster, NodeRecord primary) throws SQLException {
        PgSession.checkMayChange();
        try (Connection db = PgSession.admin(cluster, primary, "postgres"); Statement st = db.createStatement()) {
            mayChange(db);
            db.setAutoCommit(false);
            st.execute("SET LOCAL synchronous_commit = local");
            st.execute("SELECT pg_current_xact_id()");
            db.commit();
        }
    }

    /**
     * Ends the primary's current WAL segment and returns where the next one starts. A standby that moves to a new
     * timeline streams again from the start of the segment holding the switch point; switching segments just
     * before a planned handover keeps that re-sent stretch to the few kilobytes written since.
     */
    static long switchSegment(ClusterRecord cluster, NodeRecord primary) throws SQLException {
        PgSession.checkMayChange();
        try (Connection db = PgSession.admin(cluster, primary, "postgres"); Statement st = db.createStatement()) {
            mayChange(db);
            ResultSet rs = st.executeQuery("SELECT pg_switch_wal()::text, "
                    + "(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')");
            rs.next();
            long end = Lsn.parse(rs.getString(1));
            long segment = rs.getLong(2);
            return (end + segment - 1) / segment * segment;
        }
    }

    /** How far a standby has replayed its WAL. */
    static long replayed(Connection db) throws SQLException {
        try (Statement st = db.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text");
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    static long replayed(ClusterRecord cluster, NodeRecord node) throws SQLException {
        try (Connection db = PgSession.admin(cluster, node, "postgres")) {
            return replayed(db);
        }
    }

    /** A node's WAL position: current on a primary, received or replayed on a standby. */
    static long position(ClusterRecord cluster, NodeRecord node) throws SQLException {
        try (Connection db = PgSession.admin(cluster, node, "postgres"); Statement st = db.createStatement()) {
            return position(st);
        }
    }

    /** Whether the node is in recovery, or empty when it does not answer. */
    static java.util.Optional<Boolean> inRecovery(ClusterRecord cluster, NodeRecord node) {
        try (Connection db = PgSession.admin(cluster, node, "postgres"); Statement st = db.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()");
            rs.next();
            return java.util.Optional.of(rs.getBoolean(1));
        } catch (SQLException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Whether a promotion was asked of the standby and not yet taken up: pg_promote writes the promote file in the data
     * directory, and the startup process removes it as it ends recovery. Empty when the node does not answer.
     */
    static java.util.Optional<Boolean> promotionRequested(ClusterRecord cluster, NodeRecord node) {
        try (Connection db = PgSession.admin(cluster, node, "postgres"); Statement st = db.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT (pg_stat_file('promote', true)).modification IS NOT NULL");
            rs.next();
            return java.util.Optional.of(rs.getBoolean(1));
        } catch (SQLException e) {
            return java.util.Optional.empty();
        }
    }

    static long position(Connection db) throws SQLException {
        try (Statement st = db.createStatement()) {
            return position(st);
        }
    }

    private static long position(Statement st) throws SQLException {
        ResultSet rs = st.executeQuery("SELECT (CASE WHEN pg_is_in_recovery() THEN GREATEST(pg_last_wal_receive_lsn(), "
                + "pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END)::text");
        rs.next();
        return Lsn.parse(rs.getString(1));
    }

    /** See {@link Nodes#waitedForOnceCovered}: waited for up to 5 s, the standbys having just been pointed back. */
    static java.util.Optional<List<String>> waitedForOnceCovered(ClusterRecord cluster, NodeRecord primary) {
        try (Connection db = PgSession.admin(cluster, primary, "postgres"); Statement st = db.createStatement()) {
            ResultSet now = st.executeQuery("SELECT pg_current_wal_lsn()::text, current_setting('synchronous_standby_names')");
            now.next();
            String since = now.getString(1);
            List<String> waited = SyncSetRule.parse(now.getString(2));
            if (waited.isEmpty()) {
                return java.util.Optional.empty(); // nobody holds what was acknowledged before
            }
            try (java.sql.PreparedStatement covered = db.prepareStatement("SELECT count(*) FROM pg_stat_replication WHERE state = "
                    + "'streaming' AND application_name = ANY (?) AND flush_lsn >= ?::pg_lsn")) {
                covered.setArray(1, db.createArrayOf("text", waited.toArray()));
                covered.setString(2, since);
                long deadline = System.currentTimeMillis() + 5000;
                while (System.currentTimeMillis() < deadline) {
                    ResultSet rs = covered.executeQuery();
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return java.util.Optional.of(waited);
                    }
                    Thread.sleep(50);
                }
            }
        } catch (SQLException e) {
            // not known: as not covered
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return java.util.Optional.empty();
    }

    /** The recovery target the node runs with (read at its start), empty for none. */
    static String recoveryTarget(ClusterRecord cluster, NodeRecord node) throws SQLException {
        try (Connection db = PgSession.admin(cluster, node, "postgres"); Statement st = db.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT setting FROM pg_settings WHERE name = 'recovery_target_name'");
            return rs.next() && rs.getString(1) != null ? rs.getString(1) : "";
        }
    }

    /**
     * Gives a standby a named restore point as its recovery target with the pause action and no apply delay: read at
     * its next start, it replays up to the point and waits there, still a standby.
     */
    static void setRecoveryTarget(ClusterRecord cluster, NodeRecord node, String point) throws SQLException {
        try (Connection db = PgSession.admin(cluster, node, "postgres"); Statement st = db.createStatement()) {
            NodeEpoch.admit(db);
            st.execute("ALTER SYSTEM SET recovery_target_name = " + PgSession.literal(point));
            st.execute("ALTER SYSTEM SET recovery_target_action = 'pause'");
            st.execute("ALTER SYSTEM SET recovery_min_apply_delay = 0");
        }
    }

    /** Removes a recovery target from the node's settings (it applies at the next start). */
    static void clearRecoveryTarget(ClusterRecord cluster, NodeRecord node) throws SQLException {
        PgSession.checkMayChange();
        try (Connection db = PgSession.admin(cluster, node, "postgres"); Statement st = db.createStatement()) {
            st.execute("ALTER SYSTEM RESET recovery_target_name");
            st.execute("ALTER SYSTEM RESET recovery_target_action");
            st.executeQuery("SELECT pg_reload_conf()").close();
        }
    }

    /** Whether the standby has replayed up to its recovery target and paused there. */
    static boolean pausedAtTarget(ClusterRecord cluster, NodeRecord node) throws SQLException {
        try (Connection db = PgSession.admin(cluster, node, "postgres"); Statement st = db.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery() AND pg_get_wal_replay_pause_state() = 'paused'");
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
