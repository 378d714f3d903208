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
 * coordinator, extension/idcguard_lease/idcguard_twophase.c). For each prepared part ({@code idcg_FXID_RANDOM_N}) on a
 * shard's primary: once the coordinator transaction FXID is over on the coordinator's primary, it is committed if the
 * coordinator recorded its decision (a row in {@code idcguard.twophase_decision}, inserted by that very transaction),
 * and rolled back if not. Before it acts, a pass commits a transaction of its own on the coordinator, which waits for
 * the coordinator's synchronous standbys and passes the coordinator's lease check: so what it read there is what a
 * takeover of the coordinator keeps, and it read it from the true primary (a deposed one refuses the commit). Over is
 * read first and the decision after, in that order: a transaction committing between the two reads is then seen
 * committed with its row. A transaction id of a timeline a takeover cut off may be in the future of the coordinator's
 * new primary, or used there again by another transaction: neither has the part's
 * random gid as a decision, so the part is rolled back, which is right, since nothing acknowledged it.
 *
 * <p>Runs every second on the leading manager, so after a takeover, a switch, a rejoin or a DR promotion the row locks
 * a prepared part holds are released within about a second of the shard and coordinator primaries answering; each
 * resolution is an event of the shard's group, with how many parts went each way.
 */
public final class InDoubtResolver implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(InDoubtResolver.class);
    /** A part's gid: the coordinator's transaction, a random tag, and the part's number; the decision names the first two. */
    private static final Pattern GID = Pattern.compile("^(idcg_(\\d+)_[0-9a-f]{8})_\\d+$");
    /** A part prepared longer than this whose coordinator transaction is still running is an alert. */
    static final java.time.Duration DEFAULT_ALERT_AFTER = java.time.Duration.ofSeconds(60);
    private final long alertAfterMillis = alertAfterFromEnvironment().toMillis();
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

    /**
     * From the environment ({@code IDCGUARD_TWO_PHASE_ALERT_AFTER}, an ISO-8601 duration such as PT60S), else the
     * default: a bank whose transfers never take a second may want to hear much sooner.
     */
    static java.time.Duration alertAfterFromEnvironment() {
        String set = System.getenv("IDCGUARD_TWO_PHASE_ALERT_AFTER");
        return set == null || set.isBlank() ? DEFAULT_ALERT_AFTER : java.time.Duration.parse(set.strip());
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
            if (inRecovery(coord)) {
                return List.of(); // not the coordinator's primary (yet): nothing can be decided from it
            }
            if (!hasDecisionTable(coord)) {
                // a cluster made before two-phase commit: its coordinator refuses commits across shards until this
                PgSession.checkMayChange();
                try (Statement st = coord.createStatement()) {
                    st.execute(ShardingSql.createDecisionTable());
                }
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

    /** How one prepared part is to end: committed where its coordinator decided, rolled back where it did not. */
    private record End(String gid, boolean commit) {
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
        List<End> ends = new ArrayList<>();
        for (String[] row : prepared) {
            Matcher m = GID.matcher(row[0]);
            if (!m.matches()) {
                continue;
            }
            String gid = row[0];
            if (!coordinatorTransactionOver(coord, m.group(2))) {
                stillPrepared.add(m.group(1));
                waiting++;
                if (Long.parseLong(row[1]) > alertAfterMillis && warnedStuck.putIfAbsent(gid, System.currentTimeMillis()) == null) {
                    events.record("twophase.stuck", cluster.name() + "/" + shard.group(), "A cross-shard transaction (" + gid
                            + ") has held its prepared part on " + shard.group() + " of " + cluster.name() + " for "
                            + Long.parseLong(row[1]) / 1000 + " s while its coordinator transaction is still open: its row "
                            + "locks wait with it.");
                }
                continue;
            }
            ends.add(new End(gid, decided(coord, m.group(1))));
        }
        if (ends.isEmpty()) {
            return new Resolved(shard.group(), 0, 0, waiting);
        }
        durabilityBarrier(coord);
        for (End end : ends) {
            PgSession.checkMayChange();
            try (Statement st = part.createStatement()) {
                st.execute((end.commit() ? "COMMIT PREPARED " : "ROLLBACK PREPARED ") + PgSession.literal(end.gid()));
                if (end.commit()) {
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
            warnedStuck.remove(end.gid());
        }
        return new Resolved(shard.group(), committed, rolledBack, waiting);
    }

    /**
     * Commits a transaction of the resolver's own on the coordinator: its commit waits for the coordinator's
     * synchronous standbys, so every decision read before it (and every absence) is one a takeover of the
     * coordinator keeps; and the coordinator's lease check lets it commit only on the primary the manager leases, so
     * a deposed coordinator (thawed, or cut off) never decides. A commit refused, cut, or returned with a warning
     * throws: nothing is ended this pass.
     */
    private static void durabilityBarrier(Connection coord) throws SQLException {
        try (Statement st = coord.createStatement()) {
            st.execute("SET synchronous_commit = on");
            st.clearWarnings();
            st.execute("SELECT pg_catalog.txid_current()");
            if (st.getWarnings() != null) {
                throw new SQLException("The coordinator's synchronous standbys did not confirm: " + st.getWarnings().getMessage());
            }
        }
    }

    /**
     * Deletes decisions no shard needs any more: older than an hour and no part of theirs prepared on any shard in
     * a pass that heard from every shard. A transaction prepares its parts before it inserts its decision (timed when
     * inserted), so a part still prepared an hour after its decision was made is one this pass saw. The hour also
     * covers a shard's standby that was behind when it was promoted.
     */
    private static void forgetOldDecisions(Connection coord, java.util.Set<String> stillPrepared) throws SQLException {
        PgSession.checkMayChange();
        try (PreparedStatement st = coord.prepareStatement("DELETE FROM " + ShardingSql.DECISION_TABLE
                + " WHERE decided_at < clock_timestamp() - interval '1 hour' AND NOT (gid = ANY (?))")) {
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
        try (PreparedStatement st = coord.prepareStatement("SELECT 1 FROM " + ShardingSql.DECISION_TABLE + " WHERE gid = ?")) {
            st.setString(1, gid);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean hasDecisionTable(Connection coord) throws SQLException {
        try (Statement st = coord.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT to_regclass('" + ShardingSql.DECISION_TABLE + "') IS NOT NULL")) {
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
