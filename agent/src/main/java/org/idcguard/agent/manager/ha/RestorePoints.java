package org.idcguard.agent.manager.ha;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.PgSession;
import org.idcguard.agent.manager.cluster.ShardingSql;
import org.idcguard.model.DrSettings;

/**
 * Common restore points for a consistent promotion of the DR city. Every few seconds, for a cluster whose primaries
 * stand in the main city and all answer: sessions to every group's primary are opened, the coordinator's write gate is taken
 * exclusively (waiting {@link #GATE_WAIT_MILLIS} at most: a long transaction holding it only skips this round), a
 * restore point of one name is written on every group, and the gate is let go; the positions are recorded. No
 * distributed transaction is half committed while the gate is held, so each is wholly before or wholly after the
 * points. The same round keeps every DR standby's replay an apply delay behind what it received, so that it has not
 * replayed past the newest points when the DBA promotes to one (main-city standbys replay at once).
 */
final class RestorePoints implements AutoCloseable {
    static final long GATE_WAIT_MILLIS = 200;
    /** Restore points kept per cluster. */
    static final int KEEP = 100;
    private final MetadataStore store;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(HaLoop.daemon("restore-points"));
    private final Map<String, Long> lastMarked = new ConcurrentHashMap<>();
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();
    private final Map<String, String> lastProblem = new ConcurrentHashMap<>();
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RestorePoints.class);

    /** A restore point as recorded: its name, when it was marked, and the position of each group's mark. */
    record Point(String name, long createdMillis, Map<String, Long> lsnByGroup) {
    }

    RestorePoints(MetadataStore store) {
        this.store = store;
    }

    /** The apply delay of a DR standby: well beyond the interval of the points, so the newest are never passed. */
    static long applyDelayMillis(DrSettings s) {
        return Math.max(30_000, 6L * s.restorePointMillis());
    }

    /** Called on every tick: starts a round for the cluster when one is due and none runs. */
    void maybeMark(ClusterView v, Map<String, NodeState> states, DrSettings s, long now) {
        ClusterRecord c = v.cluster();
        if (!c.hasDr() || now - lastMarked.getOrDefault(c.name(), 0L) < s.restorePointMillis()
                || running.putIfAbsent(c.name(), true) != null) {
            return;
        }
        List<NodeRecord> primaries = v.nodes().stream().filter(NodeRecord::isPrimary).toList();
        // points are marked only for a promotion of the DR city; the delays are kept in either city (a node rewound from
        // a DR primary copies its delay, which a main-city standby must not keep)
        boolean allServe = !c.runsInDrCity() && primaries.size() == v.groups().size()
                && primaries.stream().allMatch(p -> states.get(p.name()).answering());
        List<NodeRecord> standbys = v.nodes().stream().filter(n -> !n.isPrimary() && !n.needsRejoin()
                && states.get(n.name()).answering()).toList();
        lastMarked.put(c.name(), now);
        writer.execute(() -> {
            try {
                // the delays and the pause first: a mark that fails on a primary dying right now must not skip them
                keepApplyDelays(c, standbys, applyDelayMillis(s), !c.runsInDrCity() && !allServe);
                if (allServe) {
                    mark(c, primaries, now);
                    lastProblem.remove(c.name());
                }
            } catch (SQLException | RuntimeException e) {
                // a primary or standby that does not answer, or the gate held too long: the next round tries again
                log.debug("No restore point for {} this round: {}", c.name(), e.getMessage());
                lastProblem.put(c.name(), e.getMessage() == null ? e.toString() : e.getMessage());
            } finally {
                running.remove(c.name());
            }
        });
    }

    private void mark(ClusterRecord c, List<NodeRecord> primaries, long now) throws SQLException {
        PgSession.checkMayChange();
        String name = "idcguard_" + now;
        Map<String, Long> marks = new LinkedHashMap<>();
        List<Connection> sessions = new ArrayList<>();
        try {
            NodeRecord coordinator = primaries.stream().filter(p -> "coordinator".equals(p.group())).findFirst().orElseThrow();
            // the gate lives in the application database, where the sharded tables' triggers take it
            Connection gate = PgSession.admin(c, coordinator, c.database());
            sessions.add(gate);
            Map<NodeRecord, Connection> byPrimary = new LinkedHashMap<>();
            for (NodeRecord p : primaries) {
                Connection db = PgSession.admin(c, p, "postgres");
                sessions.add(db);
                byPrimary.put(p, db);
            }
            try (Statement st = gate.createStatement()) {
                st.execute("SET lock_timeout = '" + GATE_WAIT_MILLIS + "ms'");
                st.executeQuery("SELECT pg_advisory_lock(" + ShardingSql.WRITE_GATE_KEY + ")").close();
            }
            try {
                for (Map.Entry<NodeRecord, Connection> e : byPrimary.entrySet()) {
                    try (PreparedStatement st = e.getValue().prepareStatement("SELECT pg_create_restore_point(?)::text")) {
                        st.setString(1, name);
                        ResultSet rs = st.executeQuery();
                        rs.next();
                        marks.put(e.getKey().group(), Lsn.parse(rs.getString(1)));
                    }
                }
            } finally {
                try (Statement st = gate.createStatement()) {
                    st.executeQuery("SELECT pg_advisory_unlock(" + ShardingSql.WRITE_GATE_KEY + ")").close();
                }
            }
        } finally {
            for (Connection s : sessions) {
                try {
                    s.close();
                } catch (SQLException ignored) {
                    // closing a broken session
                }
            }
        }
        store.inTransaction(tx -> {
            for (Map.Entry<String, Long> m : marks.entrySet()) {
                try (PreparedStatement st = tx.prepareStatement("INSERT INTO dr_restore_point (cluster, name, group_name, lsn, created_millis) "
                        + "VALUES (?, ?, ?, ?, ?)")) {
                    st.setString(1, c.name());
                    st.setString(2, name);
                    st.setString(3, m.getKey());
                    st.setString(4, Lsn.format(m.getValue()));
                    st.setLong(5, now);
                    st.executeUpdate();
                }
            }
            try (PreparedStatement st = tx.prepareStatement("DELETE FROM dr_restore_point WHERE cluster = ? AND created_millis < "
                    + "(SELECT MIN(created_millis) FROM (SELECT DISTINCT created_millis FROM dr_restore_point WHERE cluster = ? "
                    + "ORDER BY created_millis DESC LIMIT " + KEEP + "))")) {
                st.setString(1, c.name());
                st.setString(2, c.name());
                st.executeUpdate();
            }
            return null;
        });
    }

    /**
     * DR standbys replay an apply delay behind; every other standby at once. While a main-city primary does not answer
     * (hold), the DR standbys' replay is paused too: the delay alone holds them behind the newest points only for its own
     * length, so a DBA who promotes a lost city a minute later would find every point replayed past. The pause ends
     * when every primary answers again, or by the promotion itself (pg_promote ends it). A pause is "requested" until
     * the startup process looks again (at the end of a commit's delay), but no further record is applied meanwhile. A
     * standby a consistent promotion holds at its recovery target is left alone: that promotion set its delay to 0, and
     * resuming it at the target would promote it there.
     */
    private static void keepApplyDelays(ClusterRecord c, List<NodeRecord> standbys, long drDelayMillis, boolean hold) throws SQLException {
        for (NodeRecord n : standbys) {
            String wanted = c.isDr(n.idc()) ? drDelayMillis + "ms" : "0";
            try (Connection db = PgSession.admin(c, n, "postgres"); Statement st = db.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT (SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'), "
                        + "pg_get_wal_replay_pause_state(), current_setting('recovery_target_name')");
                rs.next();
                long now = rs.getLong(1);
                boolean paused = !"not paused".equals(rs.getString(2));
                boolean targeted = !rs.getString(3).isEmpty();
                if (targeted) {
                    continue; // held at a recovery target by a consistent promotion, which set its delay and pause itself
                }
                if (now != (c.isDr(n.idc()) ? drDelayMillis : 0)) {
                    org.idcguard.agent.manager.cluster.NodeEpoch.admit(db);
                    st.execute("ALTER SYSTEM SET recovery_min_apply_delay = '" + wanted + "'");
                    st.executeQuery("SELECT pg_reload_conf()").close();
                }
                if (c.isDr(n.idc()) && hold && !paused) {
                    org.idcguard.agent.manager.cluster.NodeEpoch.admit(db);
                    st.executeQuery("SELECT pg_wal_replay_pause()").close();
                    log.info("The replay of DR standby {} is paused while a primary of {} does not answer, so that it keeps the "
                            + "newest restore point", n.name(), c.name());
                } else if (!hold && paused) {
                    org.idcguard.agent.manager.cluster.NodeEpoch.admit(db);
                    st.executeQuery("SELECT pg_wal_replay_resume()").close();
                    log.info("The replay of standby {} resumes: every primary of {} answers", n.name(), c.name());
                }
            } catch (SQLException unreachable) {
                log.debug("The apply delay of {} is not set this round: {}", n.name(), unreachable.getMessage());
            }
        }
    }

    /** The cluster's restore points, newest first. */
    List<Point> points(String cluster) {
        return store.inTransaction(tx -> {
            Map<String, Point> byName = new LinkedHashMap<>();
            try (PreparedStatement st = tx.prepareStatement("SELECT name, created_millis, group_name, lsn FROM dr_restore_point "
                    + "WHERE cluster = ? ORDER BY created_millis DESC, group_name")) {
                st.setString(1, cluster);
                ResultSet rs = st.executeQuery();
                while (rs.next()) {
                    byName.computeIfAbsent(rs.getString(1), k -> {
                        try {
                            return new Point(k, rs.getLong(2), new LinkedHashMap<>());
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }).lsnByGroup().put(rs.getString(3), Lsn.parse(rs.getString(4)));
                }
            }
            return List.copyOf(byName.values());
        });
    }

    /** The newest point every group has, each at or before the position its DR standby holds. */
    static Optional<Point> newestHeld(List<Point> newestFirst, Map<String, Long> heldByGroup) {
        return newestReachable(newestFirst, heldByGroup, Map.of());
    }

    /**
     * The newest point every group's DR standby can stop at: it has received the point's mark and not replayed past it
     * (groups missing from replayedByGroup are not checked).
     */
    static Optional<Point> newestReachable(List<Point> newestFirst, Map<String, Long> heldByGroup, Map<String, Long> replayedByGroup) {
        return newestFirst.stream().filter(p -> p.lsnByGroup().keySet().containsAll(heldByGroup.keySet())
                && heldByGroup.entrySet().stream().allMatch(h -> h.getValue() >= p.lsnByGroup().get(h.getKey()))
                && replayedByGroup.entrySet().stream().allMatch(r -> r.getValue() <= p.lsnByGroup().get(r.getKey()))).findFirst();
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
