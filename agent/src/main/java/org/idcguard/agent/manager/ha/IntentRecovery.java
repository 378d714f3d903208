package org.idcguard.agent.manager.ha;

import java.util.List;
import java.util.Optional;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
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
 *       is carried through (pg_promote is idempotent) and recorded.</li>
 *   <li>{@code promoting}, planned switch: the old primary was being stopped. A promoted candidate is recorded; one still
 *       in recovery is left to the loop's failover rules, which detach and choose by position again.</li>
 *   <li>a candidate that does not answer: neither outcome can be known, so the group waits, and says so once.</li>
 * </ul>
 */
final class IntentRecovery {
    private final MetadataStore store;
    private final EventLog events;
    private final PrimaryFailover failover;
    private final FailoverIntents intents = new FailoverIntents();
    private final ClusterRepository clusters = new ClusterRepository();

    IntentRecovery(MetadataStore store, EventLog events, PrimaryFailover failover) {
        this.store = store;
        this.events = events;
        this.failover = failover;
    }

    /** Returns true when the intent ended; false when the group must go on waiting (its candidate is silent). */
    boolean resolve(FailoverIntents.Intent intent) {
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
            return false;
        }
        if (inRecovery.get() && FailoverIntents.SWITCH.equals(intent.kind())) {
            boolean oldServes = NodeSql.inRecovery(cluster, old).map(r -> !r).orElse(false);
            if (oldServes) {
                pointBack(cluster, nodes, intent.group(), old);
            }
            end(intent, FailoverIntents.ABANDONED, "failover.abandoned", subject, "The manager stopped during the planned switch "
                    + "before " + candidate.name() + " was promoted: the switch of " + intent.group() + " is abandoned; " + (oldServes
                    ? old.name() + " is still the primary and its standbys stream from it again."
                    : old.name() + " is stopped, so the group fails over by the usual rules."));
            return true;
        }
        if (inRecovery.get()) {
            try {
                NodeSql.promote(cluster, candidate);
            } catch (java.sql.SQLException e) {
                return false;
            }
        }
        GroupRecord group = store.inTransaction(c -> clusters.groups(c, intent.cluster())).stream()
                .filter(g -> g.name().equals(intent.group())).findFirst().orElseThrow();
        store.inTransaction(c -> {
            List<String> others = nodes.stream().filter(n -> n.group().equals(intent.group()) && !n.isPrimary()
                    && !n.name().equals(candidate.name())).map(NodeRecord::name).toList();
            // which standbys hold everything is unknown after a crash: each joins the sync set once it has caught up
            failover.recordRoles(c, cluster, group, candidate, old, List.of(), List.of());
            intents.end(c, intent.id(), FailoverIntents.DONE, "rolled forward after a manager restart");
            events.record(c, "failover.resumed", subject, "The manager stopped after it began promoting " + candidate.name()
                    + (inRecovery.get() ? "; the promotion was carried through" : "; it had been promoted") + " and " + candidate.name()
                    + " is recorded as primary now. " + old.name() + " will be rewound; " + (others.isEmpty() ? "no other standby"
                    : String.join(", ", others)) + " rejoin the sync set once caught up.");
            return null;
        });
        return true;
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
