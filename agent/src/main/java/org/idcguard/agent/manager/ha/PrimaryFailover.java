package org.idcguard.agent.manager.ha;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one group's primary role to a standby after the primary was lost (DESIGN "Automatic IDC takeover"):
 * choose, fast-forward if behind, set what its commits will wait for, point the other standbys at it, promote,
 * then record the new roles. The intent is recorded before the first action and after each step.
 */
final class PrimaryFailover {
    private static final Logger log = LoggerFactory.getLogger(PrimaryFailover.class);
    private static final long FAST_FORWARD_MILLIS = 5000;
    private final MetadataStore store;
    private final EventLog events;
    private final ExecutorService pool;
    private final FailoverIntents intents = new FailoverIntents();
    private final ClusterRepository clusters = new ClusterRepository();
    /** Test hook: a pause after promotion, so a test can kill the manager between promotion and recording it. */
    private final long pauseAfterPromoteMillis = Long.getLong("idcguard.test.pauseAfterPromoteMillis",
            Long.parseLong(System.getenv().getOrDefault("IDCGUARD_TEST_PAUSE_AFTER_PROMOTE_MILLIS", "0")));

    PrimaryFailover(MetadataStore store, EventLog events, ExecutorService pool) {
        this.store = store;
        this.events = events;
        this.pool = pool;
    }

    /** What the failover left for the sync-set keeper: standbys its commits wait for that must still catch up. */
    record Outcome(NodeRecord newPrimary, Map<String, Long> pendingSince) {
    }

    Outcome run(ClusterRecord cluster, GroupRecord group, NodeState lost, List<NodeState> members, String preferIdc,
                String why) throws SQLException {
        long started = System.currentTimeMillis();
        String subject = cluster.name() + "/" + group.name();
        // Decided on the tick's snapshot: the record must still name the lost node as primary, with the same sync set.
        boolean stillLost = store.inTransaction(c -> clusters.nodes(c, cluster.name())).stream()
                .anyMatch(n -> n.name().equals(lost.name()) && n.isPrimary());
        List<String> syncSet0 = store.inTransaction(c -> clusters.groups(c, cluster.name())).stream()
                .filter(g -> g.name().equals(group.name())).findFirst().map(GroupRecord::syncStandbys).orElse(List.of());
        if (!stillLost || !syncSet0.equals(group.syncStandbys())) {
            return null;
        }
        CandidateChoice.Choice choice = CandidateChoice.choose(members, lost.name(), group.syncStandbys(), preferIdc);
        NodeState first = choice.candidate();
        String reason = why + " Promoting " + first.name() + " in " + first.idc() + " (at " + Lsn.format(first.lsn())
                + "; the most advanced standby is at " + Lsn.format(choice.targetLsn()) + ").";
        long intent = store.inTransaction(c -> {
            long id = intents.insert(c, cluster.name(), group.name(), lost.name(), first.name(), reason);
            events.record(c, "failover.started", subject, reason);
            return id;
        });
        NodeState chosen = choice.fastForwardFrom().isEmpty() ? first
                : fastForward(cluster, subject, intent, first, choice.fastForwardFrom().get(), choice.targetLsn());
        List<NodeState> others = members.stream().filter(m -> !m.name().equals(chosen.name()) && !m.name().equals(lost.name())).toList();
        List<NodeState> following = others.stream().filter(NodeState::answering).filter(m -> !m.node().needsRejoin())
                .filter(m -> m.observation().map(NodeObservation::inRecovery).orElse(false)).toList();

        List<String> outside = following.stream().filter(f -> !f.idc().equals(chosen.idc())).map(NodeState::name).sorted().toList();
        boolean strict = SyncSetRule.STRICT.equals(cluster.syncPolicy());
        List<String> syncSet = !outside.isEmpty() ? outside
                : strict ? members.stream().filter(m -> !m.idc().equals(chosen.idc())).map(NodeState::name).sorted().toList()
                : following.stream().map(NodeState::name).sorted().toList();
        // One connection to the candidate for the whole failover: on a loaded host every new SCRAM login costs.
        try (java.sql.Connection candidateDb = org.idcguard.agent.manager.cluster.PgSession.admin(cluster, chosen.node(), "postgres")) {
            NodeSql.setSyncStandbys(candidateDb, syncSet);
            repointAll(cluster, following, chosen.node());
            return promoteAndRecord(cluster, group, lost, members, chosen, others, following, outside, strict, syncSet, choice,
                    intent, subject, started, candidateDb);
        }
    }

    private Outcome promoteAndRecord(ClusterRecord cluster, GroupRecord group, NodeState lost, List<NodeState> members,
                                     NodeState chosen, List<NodeState> others, List<NodeState> following, List<String> outside,
                                     boolean strict, List<String> syncSet, CandidateChoice.Choice choice, long intent,
                                     String subject, long started, java.sql.Connection candidateDb) throws SQLException {
        boolean protectedAcrossIdcs = !outside.isEmpty() || strict;

        store.inTransaction(c -> {
            intents.step(c, intent, FailoverIntents.PROMOTING);
            events.record(c, "failover.promoting", subject, "Promoting " + chosen.name() + "; its commits will wait for "
                    + describe(syncSet) + "; " + following.size() + " standby(s) repointed to it.");
            return null;
        });
        NodeSql.promote(candidateDb, chosen.node());
        long promotedAt = System.currentTimeMillis();
        pauseForTest();
        long lsnAfter = NodeSql.position(candidateDb);

        // Standbys that hold everything the new primary has stay eligible; the rest must catch up first.
        List<String> eligible = following.stream().filter(f -> syncSet.contains(f.name()) && f.lsn() >= choice.targetLsn())
                .map(NodeState::name).sorted().toList();
        Map<String, Long> pending = new ConcurrentHashMap<>();
        syncSet.stream().filter(n -> !eligible.contains(n)).forEach(n -> pending.put(n, lsnAfter));
        List<String> toRewind = others.stream().filter(o -> !following.contains(o)).map(NodeState::name).toList();
        store.inTransaction(c -> {
            recordRoles(c, cluster, group, chosen.node(), lost.node(), toRewind, eligible);
            intents.step(c, intent, FailoverIntents.DONE);
            events.record(c, "failover.done", subject, chosen.name() + " in " + chosen.idc() + " is the primary of " + group.name()
                    + " (promoted " + (promotedAt - started) + " ms after the decision). " + lost.name()
                    + (toRewind.isEmpty() ? "" : " and " + String.join(", ", toRewind))
                    + " will be rewound and rejoin as standbys when they answer." + (!outside.isEmpty() ? ""
                    : strict ? " Under the strict policy its commits wait until a standby outside " + chosen.idc() + " is back."
                    : " No standby outside " + chosen.idc() + " is healthy: IDC protection is lost until one rejoins."));
            if (!protectedAcrossIdcs) {
                events.record(c, "alert.protection-lost", subject, "IDC protection lost: under the available policy, commits of "
                        + group.name() + " wait only for " + describe(syncSet) + " until a standby in another IDC is back.");
            }
            return null;
        });
        return new Outcome(chosen.node(), pending);
    }

    /** Records the new primary; the former one and every standby that did not answer must be rewound before they stream. */
    void recordRoles(java.sql.Connection c, ClusterRecord cluster, GroupRecord group, NodeRecord newPrimary, NodeRecord oldPrimary,
                     List<String> toRewind, List<String> eligible) throws SQLException {
        clusters.setRole(c, newPrimary.name(), "primary", false);
        clusters.setRole(c, oldPrimary.name(), "standby", true);
        for (String name : toRewind) {
            clusters.setRole(c, name, "standby", true);
        }
        clusters.setSyncSet(c, cluster.name(), group.name(), eligible);
    }

    private NodeState fastForward(ClusterRecord cluster, String subject, long intent, NodeState candidate, NodeState source,
                                  long target) throws SQLException {
        events(subject, "failover.fast-forward", candidate.name() + " is at " + Lsn.format(candidate.lsn()) + ", behind "
                + source.name() + " at " + Lsn.format(target) + ": streaming the difference from " + source.name() + " first.");
        NodeSql.repoint(cluster, candidate.node(), source.node());
        long deadline = System.currentTimeMillis() + FAST_FORWARD_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (NodeSql.position(cluster, candidate.node()) >= target) {
                return candidate;
            }
            sleep(50);
        }
        store.inTransaction(c -> {
            intents.changeCandidate(c, intent, source.name());
            events.record(c, "failover.fast-forward", subject, candidate.name() + " did not reach " + Lsn.format(target)
                    + " within " + FAST_FORWARD_MILLIS / 1000 + " s; promoting " + source.name() + ", which holds it, instead.");
            return null;
        });
        return source;
    }

    private void repointAll(ClusterRecord cluster, List<NodeState> standbys, NodeRecord upstream) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (NodeState s : standbys) {
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    NodeSql.repoint(cluster, s.node(), upstream);
                } catch (SQLException e) {
                    // it will be found streaming from the wrong node and rejoined; the failover goes on
                    log.warn("Could not repoint {} to {}: {}", s.name(), upstream.name(), e.getMessage());
                }
            }, pool));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    private void events(String subject, String kind, String message) {
        store.inTransaction(c -> {
            events.record(c, kind, subject, message);
            return null;
        });
    }

    private void pauseForTest() {
        if (pauseAfterPromoteMillis > 0) {
            sleep(pauseAfterPromoteMillis);
        }
    }

    private static String describe(List<String> standbys) {
        return standbys.isEmpty() ? "no standby" : "any one of " + String.join(", ", standbys);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
