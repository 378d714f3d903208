package org.idcguard.agent.manager.ha;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.Transactions;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.TestPause;
import org.idcguard.model.DrPlan;

/**
 * One group's move in a backup-city promotion ({@link BackupCityPromotion} plans it and, once the main city can
 * acknowledge nothing more, runs every group): the DR candidate is held at the restore point (consistent) or cleared
 * of one an earlier attempt left (latest), the intent moves to promoting, the candidate is promoted, and the roles and
 * the actual loss against the main city's last known position are recorded. Everything it does to the world goes
 * through the engine's ports; intent recovery promotes a held candidate through it too.
 */
final class DrGroupPromotion {
    /** How long a standby restarted with a recovery target may take to replay up to it. */
    private static final long TARGET_WAIT_MILLIS = 60_000;
    private final Transactions store;
    private final EventLog events;
    private final Nodes pg;
    private final HaClock clock;
    private final Agents agents;
    private final ClusterRepository clusters = new ClusterRepository();
    private final FailoverIntents intents = new FailoverIntents();

    DrGroupPromotion(EnginePorts ports, Agents agents) {
        this.store = ports.store();
        this.events = ports.events();
        this.pg = ports.nodes();
        this.clock = ports.clock();
        this.agents = agents;
    }

    /** What the promotion did: the new primary, where it was promoted, what was lost against the last known position. */
    record Promoted(NodeRecord candidate, long received, long lossBytes) {
    }

    Promoted promote(ClusterRecord cluster, DrPlan.Move m, DrPlan plan) throws Exception {
        String mode = plan.mode();
        String subject = cluster.name() + "/" + m.group();
        List<NodeRecord> members = store.inTransaction(c -> clusters.nodes(c, cluster.name())).stream()
                .filter(n -> n.group().equals(m.group())).toList();
        NodeRecord candidate = members.stream().filter(n -> n.name().equals(m.candidate())).findFirst().orElseThrow();
        NodeRecord old = members.stream().filter(NodeRecord::isPrimary).findFirst().orElseThrow();
        GroupRecord group = store.inTransaction(c -> clusters.groups(c, cluster.name())).stream()
                .filter(g -> g.name().equals(m.group())).findFirst().orElseThrow();
        long intent = store.inTransaction(c -> intents.insert(c, new FailoverIntents.Opening(IntentKind.DR, cluster.name(), m.group(),
                old.name(), candidate.name(), "Backup-city promotion confirmed by the DBA: " + candidate.name() + " in " + candidate.idc() + ".")));
        long received;
        try {
            // still a standby after this: a failure here promotes nothing and leaves the group to a retry
            if (plan.restorePoint() != null) {
                received = Lsn.parse(m.candidateLsn());
                holdAtRestorePoint(cluster, candidate, plan.restorePoint(), received);
            } else {
                clearLeftoverTarget(cluster, candidate);
                received = pg.position(cluster, candidate);
            }
        } catch (Exception e) {
            store.inTransaction(c -> {
                intents.end(c, intent, IntentStep.ABANDONED, "not promoted: " + e.getMessage());
                return null;
            });
            throw e;
        }
        store.inTransaction(c -> {
            intents.step(c, intent, IntentStep.PROMOTING); // from here a manager restarted rolls it forward
            return null;
        });
        TestPause.at("dr-promoting", () -> events.record("test.paused", subject, "dr-promoting"));
        promoteHeld(cluster, candidate);
        long lastKnown = "-".equals(m.lastKnownLsn()) ? received : Lsn.parse(m.lastKnownLsn());
        long loss = Math.max(0, lastKnown - received);
        List<String> mainCity = members.stream().filter(n -> n != candidate && n != old).map(NodeRecord::name).toList();
        long promotedAt = clock.millis();
        store.inTransaction(c -> {
            clusters.setRole(c, old.name(), "standby", true);
            for (String n : mainCity) {
                clusters.setRole(c, n, "standby", true);
            }
            clusters.setRole(c, candidate.name(), "primary", false);
            clusters.setSyncSet(c, cluster.name(), group.name(), List.of());
            clusters.setConfiguredStandbys(c, cluster.name(), group.name(), List.of());
            intents.end(c, intent, IntentStep.DONE, "promoted at " + Lsn.format(received));
            try (PreparedStatement st = c.prepareStatement("INSERT INTO dr_promotion (cluster, group_name, node, mode, estimated_loss, "
                    + "last_known_lsn, promoted_lsn, loss_bytes, promoted_millis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                st.setString(1, cluster.name());
                st.setString(2, group.name());
                st.setString(3, candidate.name());
                st.setString(4, mode);
                st.setLong(5, m.lossBytes());
                st.setString(6, Lsn.format(lastKnown));
                st.setString(7, Lsn.format(received));
                st.setLong(8, loss);
                st.setLong(9, promotedAt);
                st.executeUpdate();
            }
            events.record(c, "dr.group", subject, candidate.name() + " in " + candidate.idc() + " is the primary of " + group.name()
                    + " at " + Lsn.format(received) + "; the main city's last known position was " + Lsn.format(lastKnown) + ": "
                    + loss + " bytes lost. " + old.name() + (mainCity.isEmpty() ? "" : " and " + String.join(", ", mainCity))
                    + " will be rewound.");
            return null;
        });
        return new Promoted(candidate, received, loss);
    }

    /**
     * Brings the DR standby to the restore point without promoting it: recovery_target_name with the pause action, its
     * apply delay lifted, and a restart (the target is read at start); it replays up to the point and waits there, still a
     * standby. The target stays in its settings until {@link #promoteHeld} promotes it, so a manager restarted in between
     * (or the node restarted) promotes it at the same point. Refused when it has replayed past the point already.
     */
    private void holdAtRestorePoint(ClusterRecord cluster, NodeRecord candidate, String point, long pointLsn) throws Exception {
        long replayed = pg.replayed(cluster, candidate);
        if (replayed > pointLsn) {
            throw new IllegalStateException(candidate.name() + " has replayed to " + Lsn.format(replayed) + ", past the restore point "
                    + point + " at " + Lsn.format(pointLsn) + ": promote latest.");
        }
        pg.setRecoveryTarget(cluster, candidate, point);
        agents.stop(candidate, "fast");
        agents.start(candidate);
        awaitPausedAtTarget(cluster, candidate, point);
    }

    /** Waits (60 s at most) until a standby restarted with a recovery target has replayed up to it and paused there. */
    private void awaitPausedAtTarget(ClusterRecord cluster, NodeRecord candidate, String point) throws SQLException {
        long deadline = clock.millis() + TARGET_WAIT_MILLIS;
        while (true) {
            try {
                if (pg.pausedAtTarget(cluster, candidate)) {
                    return;
                }
            } catch (SQLException starting) {
                // still starting up: not letting sessions in yet
            }
            if (clock.millis() > deadline) {
                throw new SQLException(candidate.name() + " did not reach the restore point " + point + " within 60 s.");
            }
            clock.sleep(100);
        }
    }

    /**
     * Promotes a DR standby chosen by an intent of kind DR, by the promotion or by the intent recovery of a restarted
     * manager. One a consistent promotion gave a recovery target is promoted only once it has paused there (after a
     * restart it replays up to the point first), so its group stops at the restore point like every other; then the
     * target is cleared, as one left in place would stop this node again the next time it is a standby.
     */
    void promoteHeld(ClusterRecord cluster, NodeRecord candidate) throws SQLException {
        String target = pg.recoveryTarget(cluster, candidate);
        if (!target.isEmpty()) {
            awaitPausedAtTarget(cluster, candidate, target);
        }
        pg.promote(cluster, candidate);
        pg.clearRecoveryTarget(cluster, candidate);
    }

    /** Clears the recovery target of a candidate promoted before a manager's kill (its target maybe not yet cleared). */
    void clearTarget(ClusterRecord cluster, NodeRecord candidate) throws SQLException {
        pg.clearRecoveryTarget(cluster, candidate);
    }

    /**
     * A standby a consistent attempt left holding at a restore point would promote there, not at the newest WAL it holds:
     * its target is cleared and it is restarted first.
     */
    private void clearLeftoverTarget(ClusterRecord cluster, NodeRecord candidate) throws Exception {
        if (pg.recoveryTarget(cluster, candidate).isEmpty()) {
            return;
        }
        pg.clearRecoveryTarget(cluster, candidate);
        agents.stop(candidate, "fast");
        agents.start(candidate);
        long deadline = clock.millis() + TARGET_WAIT_MILLIS;
        while (!pg.inRecovery(cluster, candidate).orElse(false)) {
            if (clock.millis() > deadline) {
                throw new IllegalStateException(candidate.name() + " did not start again within 60 s after its old recovery target was cleared.");
            }
            clock.sleep(100);
        }
    }
}
