package org.idcguard.agent.manager.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.model.InstanceSpec;

/**
 * Ends the parts of cross-shard transactions a failure left prepared on the shards (two-phase commit through the
 * coordinator, extension/idcguard_lease/idcguard_twophase.c). For each prepared part ({@code idcg_FXID_RANDOM}) on a
 * shard's primary: once the coordinator transaction FXID is over on the coordinator's primary, it is committed if the
 * coordinator recorded its decision (a row in {@code idcguard_twophase_decision}, inserted by that very transaction),
 * and rolled back if not. Over is read first and the decision after, in that order: a transaction committing between
 * the two reads is then seen committed with its row. A transaction id of a timeline a takeover cut off may be in the
 * future of the coordinator's new primary, or used there again by another transaction: neither has the part's
 * random gid as a decision, so the part is rolled back, which is right, since nothing acknowledged it.
 *
 * <p>Runs every second on the leading manager, so after a takeover, a switch, a rejoin or a DR promotion the row locks
 * a prepared part holds are released within about a second of the shard and coordinator primaries answering; each
 * resolution is an event of the shard's group, with how many parts went each way.
 */
public final class InDoubtResolver implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(InDoubtResolver.class);
    private static final Pattern GID = Pattern.compile("^idcg_(\\d+)_[0-9a-f]{8}$");
    /** A part prepared longer than this whose coordinator transaction is still running is worth a warning event. */
    static final long STUCK_MILLIS = 60_000;
    private final MetadataStore store;
    private final EventLog events;
    private final ClusterRepository clusters = new ClusterRepository();
    private final Map<String, Long> warnedStuck = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "in-doubt-resolver");
        t.setDaemon(true);
        return t;
    });

    public InDoubtResolver(MetadataStore store, EventLog events) {
        this.store = store;
        this.events = events;
    }

    public void start(long periodMillis) {
        timer.scheduleWithFixedDelay(this::resolveAllSafely, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void resolveAllSafely() {
        try {
            for (ClusterRecord cluster : store.inTransaction(clusters::all)) {
                if ("running".equals(cluster.status())) {
                    resolve(cluster);
                }
            }
        } catch (RuntimeException e) {
            log.debug("In-doubt resolution failed this round: {}", e.getMessage());
        }
    }

    /** What one pass did in a group. */
    public record Resolved(String group, int committed, int rolledBack, int waiting) {
    }

    /** One pass over the cluster's shards; groups whose primary does not answer are left for the next pass. */
    public List<Resolved> resolve(ClusterRecord cluster) {
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, cluster.name()));
        NodeRecord coordinator = primary(nodes, "coordinator");
        if (coordinator == null) {
            return List.of();
        }
        Map<String, NodeRecord> shardPrimaries = new LinkedHashMap<>();
        nodes.stream().filter(n -> !"coordinator".equals(n.group()) && InstanceSpec.PRIMARY.equals(n.role()))
                .forEach(n -> shardPrimaries.put(n.group(), n));
        List<Resolved> all = new ArrayList<>();
        try (Connection coord = PgSession.admin(cluster, coordinator, cluster.database())) {
            if (inRecovery(coord) || !hasDecisionTable(coord)) {
                return List.of(); // not the coordinator's primary (yet): nothing can be decided from it
            }
            java.util.Set<String> stillPrepared = new java.util.HashSet<>();
            int answered = 0;
            for (NodeRecord shard : shardPrimaries.values()) {
                try (Connection part = PgSession.admin(cluster, shard, cluster.database())) {
                    if (inRecovery(part)) {
                        continue;
                    }
                    Resolved r = resolveShard(cluster, coord, shard, part, stillPrepared);
                    answered++;
                    if (r.committed() + r.rolledBack() > 0) {
                        events.record("twophase.resolved", cluster.name() + "/" + shard.group(), "In-doubt transactions of "
                                + shard.group() + " of " + cluster.name() + " resolved: " + r.committed() + " committed, "
                                + r.rolledBack() + " rolled back (their coordinator " + (r.committed() > 0 ? "had decided or " : "")
                                + "was gone before deciding)" + (r.waiting() > 0 ? "; " + r.waiting() + " still deciding." : "."));
                        // a test kills the manager here: one shard's parts ended, the next shard's not yet
                        TestPause.at("twophase-resolving", () -> events.record("test.paused", cluster.name() + "/" + shard.group(),
                                "twophase-resolving"));
                    }
                    all.add(r);
                } catch (SQLException e) {
                    log.debug("Shard {} of {} did not answer the in-doubt pass: {}", shard.group(), cluster.name(), e.getMessage());
                }
            }
            if (answered == shardPrimaries.size()) {
                forgetOldDecisions(coord, stillPrepared);
            }
        } catch (SQLException e) {
            log.debug("The coordinator of {} did not answer the in-doubt pass: {}", cluster.name(), e.getMessage());
        }
        return all;
    }

    private Resolved resolveShard(ClusterRecord cluster, Connection coord, NodeRecord shard, Connection part,
                                  java.util.Set<String> stillPrepared) throws SQLException {
        int committed = 0;
        int rolledBack = 0;
        int waiting = 0;
        List<String[]> prepared = new ArrayList<>();
        try (Statement st = part.createStatement(); ResultSet rs = st.executeQuery("SELECT gid, "
                + "(extract(epoch FROM now() - prepared) * 1000)::bigint FROM pg_prepared_xacts "
                + "WHERE database = current_database() AND gid LIKE 'idcg\\_%' ORDER BY prepared")) {
            while (rs.next()) {
                prepared.add(new String[] {rs.getString(1), Long.toString(rs.getLong(2))});
            }
        }
        for (String[] row : prepared) {
            Matcher m = GID.matcher(row[0]);
            if (!m.matches()) {
                continue;
            }
            String gid = row[0];
            if (!coordinatorTransactionOver(coord, m.group(1))) {
                stillPrepared.add(gid);
                waiting++;
                if (Long.parseLong(row[1]) > STUCK_MILLIS && warnedStuck.putIfAbsent(gid, System.currentTimeMillis()) == null) {
                    events.record("twophase.stuck", cluster.name() + "/" + shard.group(), "A cross-shard transaction (" + gid
                            + ") has held its prepared part on " + shard.group() + " of " + cluster.name() + " for "
                            + Long.parseLong(row[1]) / 1000 + " s while its coordinator transaction is still open: its row "
                            + "locks wait with it.");
                }
                continue;
            }
            boolean decided = decided(coord, gid);
            PgSession.checkMayChange();
            try (Statement st = part.createStatement()) {
                st.execute((decided ? "COMMIT PREPARED " : "ROLLBACK PREPARED ") + PgSession.literal(gid));
                if (decided) {
                    committed++;
                } else {
                    rolledBack++;
                }
            } catch (SQLException e) {
                // ended meanwhile by its coordinator session (its own COMMIT PREPARED or ROLLBACK PREPARED): nothing to do
                if (!"42704".equals(e.getSQLState())) {
                    throw e;
                }
            }
            warnedStuck.remove(gid);
        }
        return new Resolved(shard.group(), committed, rolledBack, waiting);
    }

    /**
     * Deletes decisions no shard needs any more: older than ten minutes and no part of theirs prepared on any shard in
     * a pass that heard from every shard. A transaction prepares its parts before it inserts its decision, so a part
     * still prepared ten minutes after its decision was made is one this pass saw.
     */
    private static void forgetOldDecisions(Connection coord, java.util.Set<String> stillPrepared) throws SQLException {
        PgSession.checkMayChange();
        try (PreparedStatement st = coord.prepareStatement("DELETE FROM public." + ShardingSql.DECISION_TABLE
                + " WHERE decided_at < now() - interval '10 minutes' AND NOT (gid = ANY (?))")) {
            st.setArray(1, coord.createArrayOf("text", stillPrepared.toArray()));
            st.executeUpdate();
        }
    }

    /** Whether the coordinator transaction is over (committed, aborted, or unknown to this primary's history). */
    private static boolean coordinatorTransactionOver(Connection coord, String fxid) throws SQLException {
        try (PreparedStatement st = coord.prepareStatement("SELECT txid_status(?)")) {
            st.setLong(1, Long.parseUnsignedLong(fxid));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                String status = rs.getString(1);
                // null: so old its commit log is gone, over long ago
                return status == null || !status.equals("in progress");
            }
        } catch (SQLException e) {
            if ("22023".equals(e.getSQLState())) {
                return true; // in the future of this primary: of a timeline cut off by a takeover, never acknowledged
            }
            throw e;
        }
    }

    private static boolean decided(Connection coord, String gid) throws SQLException {
        try (PreparedStatement st = coord.prepareStatement("SELECT 1 FROM public." + ShardingSql.DECISION_TABLE + " WHERE gid = ?")) {
            st.setString(1, gid);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean hasDecisionTable(Connection coord) throws SQLException {
        try (Statement st = coord.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT to_regclass('public." + ShardingSql.DECISION_TABLE + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static boolean inRecovery(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static NodeRecord primary(List<NodeRecord> nodes, String group) {
        return nodes.stream().filter(n -> n.group().equals(group) && InstanceSpec.PRIMARY.equals(n.role())).findFirst().orElse(null);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
