package org.idcguard.agent.manager.ha;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.Transactions;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;

/**
 * Keeps each group's sync set right while its primary is healthy: a standby that is down or stops streaming leaves
 * it, one that streams again returns, and when no standby outside the primary's IDC is healthy the policy decides.
 *
 * <p>Two sets are kept apart. The primary's synchronous_standby_names is what commits wait for. The manager's
 * recorded sync set is who may be promoted: a standby enters it only once it holds everything committed before it
 * started being waited for. So a removal is recorded before it is applied, an addition applied before it is recorded.
 *
 * <p>A third set is who may hold an acknowledged commit (the configured standbys, kept in the record beside the
 * recorded ones). A standby the primary stops waiting for may have been the only one to acknowledge its last commits
 * (ANY 1 waits for the fastest). It is forgotten only once a standby still waited for has flushed past the primary's
 * position at the change; until then a failover must still reach it and take its position into account.
 */
final class SyncSetKeeper {
    private final Transactions store;
    private final EventLog events;
    private final Nodes pg;
    private final ClusterRepository clusters = new ClusterRepository();
    /** Per standby now waited for but not yet recorded: the primary's position when the waiting began. */
    private final Map<String, Long> pendingSince = new ConcurrentHashMap<>();
    /**
     * Per group whose configured set still names standbys no longer waited for: the primary's position once they
     * stopped being waited for, or {@link #APPLIED_SEEN} when that was seen and the position is to be read next.
     */
    private final Map<String, Long> narrowedAt = new ConcurrentHashMap<>();
    private static final long APPLIED_SEEN = -1;

    SyncSetKeeper(Transactions store, EventLog events, Nodes pg) {
        this.store = store;
        this.pg = pg;
        this.events = events;
    }

    void maintain(ClusterRecord cluster, String groupName, NodeState primary, List<NodeState> members, Set<String> stalled)
            throws SQLException {
        // the recorded set is read afresh: the snapshot this was decided on may predate the last change
        GroupRecord group = store.inTransaction(c -> clusters.groups(c, cluster.name())).stream()
                .filter(g -> g.name().equals(groupName)).findFirst().orElseThrow();
        boolean primaryUnchanged = store.inTransaction(c -> clusters.nodes(c, cluster.name())).stream()
                .anyMatch(n -> n.name().equals(primary.name()) && n.isPrimary());
        if (!primaryUnchanged) {
            return;
        }
        NodeObservation seen = primary.observation().orElseThrow();
        String subject = cluster.name() + "/" + group.name();
        SyncSetRule.Desired desired = SyncSetRule.desired(cluster, primary, members, stalled);
        List<String> configured = SyncSetRule.parse(seen.syncNames());
        List<String> recorded = group.syncStandbys();

        List<String> kept = recorded.stream().filter(desired.standbys()::contains).toList();
        if (!kept.equals(recorded)) {
            List<String> left = recorded.stream().filter(n -> !kept.contains(n)).toList();
            store.inTransaction(c -> {
                clusters.setSyncSet(c, cluster.name(), group.name(), kept);
                events.record(c, "sync.removed", subject, String.join(", ", left) + " left the sync set of " + group.name()
                        + (desired.protectedAcrossIdcs() && left.stream().noneMatch(n -> outside(cluster, members, primary, n))
                        ? ": standbys outside " + primary.idc() + " stream again, and commits wait for them."
                        : " (down or not streaming); it is not promoted until it has caught up and is back."));
                return null;
            });
        }
        if (!desired.standbys().equals(configured)) {
            // who may acknowledge is recorded before the primary is told, and narrowed only after it was told
            java.util.Set<String> during = new java.util.TreeSet<>(group.configuredStandbys());
            during.addAll(configured);
            during.addAll(desired.standbys());
            store.inTransaction(c -> {
                clusters.setConfiguredStandbys(c, cluster.name(), group.name(), during);
                return null;
            });
            pg.setSyncStandbys(cluster, primary.node(), desired.standbys());
            // The standbys left out stay named until someone holds what they did; from where is judged on later probes,
            // once the WAL senders are seen to have applied the reload (forgetLeftOnceCovered).
            narrowedAt.remove(subject);
            // a newcomer's catch-up is measured from a position its WAL sender is seen to count from (caughtUp)
            desired.standbys().stream().filter(n -> !kept.contains(n)).forEach(pendingSince::remove);
            boolean wasProtected = configured.stream().anyMatch(n -> outside(cluster, members, primary, n));
            store.inTransaction(c -> {
                events.record(c, "sync.configured", subject, "Commits of " + group.name() + " on " + primary.name() + " now wait for "
                        + (desired.standbys().isEmpty() ? "no standby" : "any one of " + String.join(", ", desired.standbys())) + ".");
                if (wasProtected && !desired.protectedAcrossIdcs()) {
                    events.record(c, "alert.protection-lost", subject, "IDC protection lost: no standby outside " + primary.idc()
                            + " is healthy, and under the available policy commits of " + group.name() + " no longer wait for another IDC.");
                }
                if (!wasProtected && desired.protectedAcrossIdcs() && desired.standbys().stream().anyMatch(n -> outside(cluster, members, primary, n))) {
                    events.record(c, "protection.restored", subject, "IDC protection restored: commits of " + group.name()
                            + " wait for " + String.join(", ", desired.standbys()) + " outside " + primary.idc() + " again.");
                }
                return null;
            });
            return; // whether the newcomers caught up is judged on a later probe
        }
        forgetLeftOnceCovered(cluster, group, desired, seen, subject);
        List<String> ready = caughtUp(group, desired, seen);
        if (!ready.isEmpty()) {
            List<String> now = new ArrayList<>(kept);
            now.addAll(ready);
            store.inTransaction(c -> {
                clusters.setSyncSet(c, cluster.name(), group.name(), now.stream().sorted().toList());
                events.record(c, "sync.added", subject, String.join(", ", ready) + " caught up and joined the sync set of "
                        + group.name() + ": eligible for promotion again.");
                return null;
            });
            ready.forEach(pendingSince::remove);
        }
    }

    /**
     * Narrows the configured set to what the primary waits for once a standby it waits for has flushed past the
     * position at which the others stopped being waited for: every commit they may have acknowledged is then held by
     * one that a failover must detach and compare. After a manager restart the primary's present position stands in
     * for the forgotten one (later, so only stricter).
     */
    private void forgetLeftOnceCovered(ClusterRecord cluster, GroupRecord group, SyncSetRule.Desired desired,
                                       NodeObservation primary, String subject) throws SQLException {
        if (new java.util.TreeSet<>(group.configuredStandbys()).equals(new java.util.TreeSet<>(desired.standbys()))) {
            narrowedAt.remove(subject);
            return;
        }
        // pg_reload_conf() returns before the WAL senders reread the setting, and until each has, a standby left out
        // still releases commits it acknowledges. So the position from which it acknowledges nothing is taken only on a
        // probe after one that showed every left-out standby's WAL sender as async (a probe reads the position before
        // pg_stat_replication, so the same probe's position could be older than that sighting).
        Long at = narrowedAt.get(subject);
        if (at == null) {
            boolean applied = primary.replicas().stream().filter(r -> !desired.standbys().contains(r.name()))
                    .allMatch(r -> "async".equals(r.syncState()));
            if (applied) {
                narrowedAt.put(subject, APPLIED_SEEN);
            }
            return;
        }
        if (at == APPLIED_SEEN) {
            narrowedAt.put(subject, primary.lsn());
            return;
        }
        long since = at;
        boolean covered = desired.standbys().stream().anyMatch(n -> primary.replica(n)
                .filter(r -> "streaming".equals(r.state()) && r.flushLsn() >= since).isPresent());
        if (covered) {
            store.inTransaction(c -> {
                clusters.setConfiguredStandbys(c, cluster.name(), group.name(), desired.standbys());
                return null;
            });
            narrowedAt.remove(subject);
        }
    }

    /** Waited-for standbys not yet recorded that have flushed everything from before they were waited for. */
    private List<String> caughtUp(GroupRecord group, SyncSetRule.Desired desired, NodeObservation primary) {
        Set<String> recorded = new HashSet<>(group.syncStandbys());
        List<String> ready = new ArrayList<>();
        for (String n : desired.standbys()) {
            if (recorded.contains(n)) {
                continue;
            }
            // As when narrowing: the WAL sender applies the reload after pg_reload_conf() returned, so the position
            // it must reach is read on a probe after one that showed it counted ("quorum") by the primary.
            Long since = pendingSince.get(n);
            Optional<NodeObservation.Replica> replica = primary.replica(n);
            if (since == null) {
                if (replica.filter(r -> "quorum".equals(r.syncState()) || "sync".equals(r.syncState())).isPresent()) {
                    pendingSince.put(n, APPLIED_SEEN);
                }
                continue;
            }
            if (since == APPLIED_SEEN) {
                pendingSince.put(n, primary.lsn());
                continue;
            }
            replica.filter(r -> "streaming".equals(r.state()) && r.flushLsn() >= since).ifPresent(r -> ready.add(n));
        }
        return ready;
    }

    /** Seeds what a failover left pending. */
    void pending(Map<String, Long> since) {
        pendingSince.putAll(since);
    }

    private static boolean outside(ClusterRecord cluster, List<NodeState> members, NodeState primary, String name) {
        return members.stream().anyMatch(m -> m.name().equals(name) && cluster.mayWaitFor(primary.idc(), m.idc()));
    }
}
