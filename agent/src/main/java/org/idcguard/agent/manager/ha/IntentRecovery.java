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
    private final PrimaryFailover failover;
    private final FailoverIntents intents = new FailoverIntents();
    private final ClusterRepository clusters = new ClusterRepository();

    IntentRecovery(MetadataStore store, EventLog events, PrimaryFailover failover) {
        this.store = store;
        this.events = events;
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
        GroupRecord group = group(intent);
        store.inTransaction(c -> {
            List<String> others = nodes.stream().filter(n -> n.group().equals(intent.group()) && !n.isPrimary()
                    && !n.name().equals(candidate.name())).map(NodeRecord::name).toList();
            // which standbys hold everything is unknown after a crash: each joins the sync set once it has caught up
            // a backup-city promotion leaves every main-city node holding WAL the new primary lacks: all are rewound
            List<String> toRewind = FailoverIntents.DR.equals(intent.kind()) ? nodes.stream().filter(n -> n.group().equals(intent.group())
                    && !n.name().equals(candidate.name()) && !n.name().equals(old.name())).map(NodeRecord::name).toList() : List.of();
            failover.recordRoles(c, cluster, group, candidate, old, toRewind, List.of());
            intents.end(c, intent.id(), FailoverIntents.DONE, "rolled forward after a manager restart");
            events.record(c, "failover.resumed", subject, "The manager stopped after it began promoting " + candidate.name()
                    + (inRecovery.get() ? "; the promotion was carried through" : "; it had been promoted") + " and " + candidate.name()
                    + " is recorded as primary now. " + old.name() + " will be rewound; " + (others.isEmpty() ? "no other standby"
                    : String.join(", ", others)) + " rejoin the sync set once caught up.");
            return null;
        });
        return true;
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
