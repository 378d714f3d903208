package org.idcguard.agent.manager.ha;

import java.util.List;
import java.util.Optional;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * Ends an intent that nobody is carrying out any more (the manager was killed, or an action failed after the
 * promotion was sent), each recorded step by its own rule:
 * <ul>
 *   <li>{@code chosen}, {@code detached}: nothing was promoted. Rolled back: the intent is abandoned, the standbys it
 *       detached are reattached by the loop, and the group is judged afresh.</li>
 *   <li>{@code promoting}, failover: the standbys were detached and the candidate holds the most WAL, so the promotion
 *       is carried through (pg_promote is idempotent) and recorded. Its sync set is set first: the takeover may have
 *       been killed before it set it, and a standby's own synchronous_standby_names may be empty.</li>
 *   <li>{@code promoting}, planned switch: the old primary may have been stopped. A promoted candidate is recorded; one
 *       still in recovery is rolled back: the old primary is started again (if it is stopped) and the standbys stream
 *       from it again. See {@link #rollBackSwitch} for why this, and not a roll forward.</li>
 *   <li>a candidate that does not answer: whether it was promoted cannot be known. If it is down (K failed probes) and
 *       could not hold a commit the old primary acknowledged (it was in none of its sync sets, as a standby of the
 *       primary's own IDC is not), it is recorded as the primary it may have become, and the usual rules fail it over:
 *       everything either of them acknowledged is on a standby they waited for, and those are detached and chosen
 *       from by position. Otherwise the group waits, and says so once: the candidate may hold the only copy.</li>
 * </ul>
 */
final class IntentRecovery {
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final PrimaryFailover failover;
    private final FailoverIntents intents = new FailoverIntents();
    private final ClusterRepository clusters = new ClusterRepository();

    IntentRecovery(MetadataStore store, EventLog events, PrimaryFailover failover, NodeAgentClient agents) {
        this.store = store;
        this.events = events;
        this.agents = agents;
        this.failover = failover;
    }

    /**
     * Returns true when the intent ended; false when the group must go on waiting (its candidate is silent).
     * {@code candidateDown}: the loop's probes found the candidate down (K failed probes), not merely slow once.
     */
    boolean resolve(FailoverIntents.Intent intent, boolean candidateDown) {
        String subject = intent.cluster() + "/" + intent.group();
        ClusterRecord cluster = store.inTransaction(c -> clusters.find(c, intent.cluster())).orElse(null);
        if (cluster == null) {
            end(intent, FailoverIntents.ABANDONED, "failover.abandoned", subject, "The cluster was deleted.");
            return true;
        }
        if (!intent.mayHavePromoted()) {
            end(intent, FailoverIntents.ABANDONED, "failover.rolled-back", subject, "The manager stopped (step " + intent.step()
                    + ") before any promotion: nothing was promoted, " + intent.oldPrimary() + " stays the recorded primary, "
                    + "detached standbys are reattached and the group is judged afresh.");
            return true;
        }
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, intent.cluster()));
        NodeRecord candidate = nodes.stream().filter(n -> n.name().equals(intent.candidate())).findFirst().orElse(null);
        NodeRecord old = nodes.stream().filter(n -> n.name().equals(intent.oldPrimary())).findFirst().orElse(null);
        if (candidate == null || old == null) {
            end(intent, FailoverIntents.ABANDONED, "failover.abandoned", subject, "Its nodes are no longer recorded.");
            return true;
        }
        if (candidate.isPrimary()) {
            end(intent, FailoverIntents.DONE, "failover.resumed", subject, candidate.name() + " was already recorded as primary.");
            return true;
        }
        Optional<Boolean> inRecovery = NodeSql.inRecovery(cluster, candidate);
        if (inRecovery.isEmpty()) {
            return candidateDown && recordSilentCandidate(cluster, intent, candidate, old, subject);
        }
        GroupRecord group = group(intent);
        if (inRecovery.get() && FailoverIntents.SWITCH.equals(intent.kind())) {
            Optional<Boolean> asked = NodeSql.promotionRequested(cluster, candidate);
            if (asked.isEmpty()) {
                return false; // it stopped answering since: judged again on the next try
            }
            if (!asked.get()) {
                return rollBackSwitch(cluster, intent, nodes, candidate, old, subject);
            }
            // pg_promote was sent and the candidate has not taken it up yet: the switch sends it only once the candidate
            // received the old primary's last WAL, so the promotion is carried through below rather than raced
        }
        Optional<List<String>> syncSet = Optional.empty();
        if (inRecovery.get() && !FailoverIntents.DR.equals(intent.kind())) {
            try {
                syncSet = Optional.of(setSyncSetBeforePromotion(cluster, group, nodes, candidate));
            } catch (java.sql.SQLException e) {
                return false; // not promoted without it: tried again
            }
        }
        boolean dr = FailoverIntents.DR.equals(intent.kind());
        if (inRecovery.get()) {
            try {
                if (dr) {
                    // a consistent one stops at the restore point its recovery target names, as the promotion would have
                    BackupCityPromotion.promoteHeld(cluster, candidate);
                } else {
                    NodeSql.promote(cluster, candidate);
                }
            } catch (java.sql.SQLException e) {
                return false;
            }
        } else if (dr) {
            try (java.sql.Connection db = org.idcguard.agent.manager.cluster.PgSession.admin(cluster, candidate, "postgres")) {
                BackupCityPromotion.clearRecoveryTarget(db); // promoted before the kill, its target maybe not yet cleared
            } catch (java.sql.SQLException e) {
                return false;
            }
        }
        Optional<List<String>> waitsFor = syncSet;
        store.inTransaction(c -> {
            List<String> others = nodes.stream().filter(n -> n.group().equals(intent.group()) && !n.isPrimary()
                    && !n.name().equals(candidate.name())).map(NodeRecord::name).toList();
            // which standbys hold everything is unknown after a crash: each joins the sync set once it has caught up
            // a backup-city promotion leaves every main-city node holding WAL the new primary lacks: all are rewound
            List<String> toRewind = FailoverIntents.DR.equals(intent.kind()) ? nodes.stream().filter(n -> n.group().equals(intent.group())
                    && !n.name().equals(candidate.name()) && !n.name().equals(old.name())).map(NodeRecord::name).toList() : List.of();
            failover.recordRoles(c, cluster, group, candidate, old, toRewind, List.of());
            if (waitsFor.isPresent()) {
                // applied and promoted: the new primary's commits wait for these alone (as after an uninterrupted takeover)
                clusters.setConfiguredStandbys(c, cluster.name(), group.name(), waitsFor.get());
            }
            intents.end(c, intent.id(), FailoverIntents.DONE, "rolled forward after a manager restart");
            events.record(c, "failover.resumed", subject, "The manager stopped after it began promoting " + candidate.name()
                    + (inRecovery.get() ? "; the promotion was carried through" : "; it had been promoted") + " and " + candidate.name()
                    + " is recorded as primary now. " + old.name() + " will be rewound; " + (others.isEmpty() ? "no other standby"
                    : String.join(", ", others)) + " rejoin the sync set once caught up.");
            return null;
        });
        if (dr) {
            // after the commit: groups roll forward in parallel, and each must see the others' new primaries
            BackupCityPromotion.finishIfEveryGroupMoved(store, events, cluster.name(), "");
        }
        return true;
    }

    /**
     * A candidate about to be promoted by a restarted manager waits, from its first commit, for the standbys the rule
     * allows outside its IDC ({@link ClusterRecord#mayWaitFor}), all of them, whether they answer or not: which were
     * detached and followed it is not known after a crash, and the sync-set keeper narrows the set by the group's policy
     * on its first tick once the group is recorded. Without this it could take commits waiting for nobody: a standby's
     * own synchronous_standby_names is whatever it was given (often nothing), and a takeover killed after recording the
     * promoting step may not have set it. Who may acknowledge is recorded before the candidate is told (the discipline of
     * {@link SyncSetKeeper}), so that a manager killed here again finds it in the configured set.
     */
    private List<String> setSyncSetBeforePromotion(ClusterRecord cluster, GroupRecord group, List<NodeRecord> nodes,
                                                   NodeRecord candidate) throws java.sql.SQLException {
        List<String> syncSet = nodes.stream().filter(n -> n.group().equals(group.name()) && !n.name().equals(candidate.name())
                && cluster.mayWaitFor(candidate.idc(), n.idc())).map(NodeRecord::name).sorted().toList();
        java.util.Set<String> during = new java.util.TreeSet<>(group.mayHoldAcknowledged());
        during.addAll(syncSet);
        store.inTransaction(c -> {
            clusters.setConfiguredStandbys(c, cluster.name(), group.name(), during);
            return null;
        });
        NodeSql.setSyncStandbys(cluster, candidate, syncSet);
        return syncSet;
    }

    /**
     * A planned switch killed at its promoting step with the candidate still in recovery: the old primary may be running,
     * stopping or stopped. It is rolled back, never forward, because only that is safe without knowing more. The
     * candidate was never promoted, so nothing was written anywhere but by the old primary, which holds all of it: started
     * again, it is exactly the primary it was, and every standby (the candidate included) has a prefix of its WAL and
     * streams from it without a rewind. Rolling forward would be safe only if the candidate provably held all of the old
     * primary's WAL, up to the end of its shutdown checkpoint; with the old primary stopped, that position is in its
     * control file, which only its node agent could read, and a shutdown that was not clean (or not finished) leaves no
     * such proof at all. Rolling back needs no proof and costs one more start of the old primary.
     *
     * <p>A promotion already asked for (the promote file is there) is carried through instead by the caller; one taken
     * up in the moment between that look and the old primary's start would be a second writer, which the loop fences as
     * it fences any node taking writes it does not record as primary. That moment is milliseconds after pg_promote, and
     * a restarted manager looks seconds after the kill.
     *
     * <p>Each step is safe to repeat: a manager killed during this finds the intent at the same step and does it again
     * (starting a running instance does nothing; repointing a standby at the same upstream changes nothing).
     */
    private boolean rollBackSwitch(ClusterRecord cluster, FailoverIntents.Intent intent, List<NodeRecord> nodes,
                                   NodeRecord candidate, NodeRecord old, String subject) {
        boolean wasServing = NodeSql.inRecovery(cluster, old).map(r -> !r).orElse(false);
        if (!wasServing) {
            try {
                // the node agent does one start or stop of an instance at a time: a stop still under way ends first
                agents.startInstance(old.agentEndpoint(), old.name());
            } catch (RuntimeException unreachable) {
                return false; // its computer or agent is down: the intent stays open and this is tried again
            }
            if (!NodeSql.inRecovery(cluster, old).map(r -> !r).orElse(false)) {
                return false; // started but not (yet) answering as a primary: tried again
            }
        }
        pointBack(cluster, nodes, intent.group(), old);
        try {
            // the switch gave it the sync set it was to have as primary; a standby does nothing with it, and it is cleared
            // as the switch's own roll-back clears it
            NodeSql.setSyncStandbys(cluster, candidate, List.of());
        } catch (java.sql.SQLException e) {
            // harmless, as said: the sync-set keeper sets it if it is ever promoted
        }
        boolean narrowed = forgetSwitchAdditions(cluster, intent.group(), old);
        end(intent, FailoverIntents.ABANDONED, "failover.abandoned", subject, "The manager stopped during the planned switch "
                + "before " + candidate.name() + " was promoted: the switch of " + intent.group() + " is abandoned; " + old.name()
                + (wasServing ? " is still the primary" : " had been stopped and was started again as the primary")
                + " and its standbys stream from it again." + (narrowed ? "" : " The standbys the switch named as possible "
                + "holders of acknowledged commits stay named until one it waits for has caught up."));
        return true;
    }

    /**
     * The switch recorded the candidate's future sync set as possible holders of acknowledged commits, the old primary
     * itself among them; left so, a later failover from the old primary would be refused (it cannot answer as its own
     * standby). They are forgotten by the sync-set keeper's rule: once a standby the old primary waits for has flushed
     * past the old primary's present position, every commit anyone acknowledged is on one it waits for, and those are
     * the configured set. Waited for a few seconds (the standbys were just pointed back); false when not seen by then,
     * and the record is left as it is (only stricter).
     */
    private boolean forgetSwitchAdditions(ClusterRecord cluster, String groupName, NodeRecord old) {
        try (java.sql.Connection db = org.idcguard.agent.manager.cluster.PgSession.admin(cluster, old, "postgres");
             java.sql.Statement st = db.createStatement()) {
            java.sql.ResultSet now = st.executeQuery("SELECT pg_current_wal_lsn()::text, current_setting('synchronous_standby_names')");
            now.next();
            String since = now.getString(1);
            List<String> waited = SyncSetRule.parse(now.getString(2));
            if (waited.isEmpty()) {
                return false; // nobody holds what was acknowledged before: nothing may be forgotten
            }
            try (java.sql.PreparedStatement covered = db.prepareStatement("SELECT count(*) FROM pg_stat_replication WHERE state = "
                    + "'streaming' AND application_name = ANY (?) AND flush_lsn >= ?::pg_lsn")) {
                covered.setArray(1, db.createArrayOf("text", waited.toArray()));
                covered.setString(2, since);
                long deadline = System.currentTimeMillis() + 5000;
                while (System.currentTimeMillis() < deadline) {
                    java.sql.ResultSet rs = covered.executeQuery();
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        store.inTransaction(c -> {
                            clusters.setConfiguredStandbys(c, cluster.name(), groupName, waited);
                            return null;
                        });
                        return true;
                    }
                    Thread.sleep(50);
                }
            }
        } catch (java.sql.SQLException e) {
            // left as it is: only stricter
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * The candidate went dark after its promotion was sent (an IDC going dark host by host): recorded as the primary it
     * may be, so that the next ticks fail it over by the usual rules rather than wait for it. Only when it could not
     * hold a commit the old primary acknowledged: then every such commit, and every one the candidate may have
     * acknowledged since, is on a standby in the group's recorded sync sets, which the failover detaches and chooses
     * from. The old primary is rewound when it returns, like any former primary.
     */
    private boolean recordSilentCandidate(ClusterRecord cluster, FailoverIntents.Intent intent, NodeRecord candidate,
                                          NodeRecord old, String subject) {
        GroupRecord group = group(intent);
        if (group.mayHoldAcknowledged().contains(candidate.name())) {
            return false; // it may hold the only copy of an acknowledged commit: wait for it
        }
        store.inTransaction(c -> {
            // The standbys either primary may have waited for: the failover that follows detaches them all and promotes
            // the one furthest ahead, which holds every commit either of them acknowledged.
            failover.recordRoles(c, cluster, group, candidate, old, List.of(), List.copyOf(group.mayHoldAcknowledged()));
            intents.end(c, intent.id(), FailoverIntents.DONE, "candidate silent after its promotion was sent; recorded as primary");
            events.record(c, "failover.resumed", subject, candidate.name() + " stopped answering after its promotion was sent: "
                    + "whether it was promoted cannot be known, so it is recorded as the primary it may have become and is failed "
                    + "over by the usual rules. It was in no sync set of " + old.name() + ", so every acknowledged commit is on "
                    + "a standby those rules detach and choose from (" + String.join(", ", group.mayHoldAcknowledged()) + "). "
                    + old.name() + " will be rewound.");
            return null;
        });
        return true;
    }

    private GroupRecord group(FailoverIntents.Intent intent) {
        return store.inTransaction(c -> clusters.groups(c, intent.cluster())).stream()
                .filter(g -> g.name().equals(intent.group())).findFirst().orElseThrow();
    }

    /** A switch rolled back: every standby of the group that answers streams from the old primary again. */
    private static void pointBack(ClusterRecord cluster, List<NodeRecord> nodes, String group, NodeRecord old) {
        for (NodeRecord n : nodes) {
            if (n.group().equals(group) && !n.name().equals(old.name()) && !n.needsRejoin()) {
                try {
                    NodeSql.repoint(cluster, n, old);
                } catch (java.sql.SQLException unreachable) {
                    // the loop finds it astray and rejoins it
                }
            }
        }
    }

    private void end(FailoverIntents.Intent intent, String step, String kind, String subject, String sentence) {
        store.inTransaction(c -> {
            intents.end(c, intent.id(), step, sentence);
            events.record(c, kind, subject, sentence);
            return null;
        });
    }
}
