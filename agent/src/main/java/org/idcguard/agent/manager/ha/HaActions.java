package org.idcguard.agent.manager.ha;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out what {@link HaDecision} decided: each action on a pool, holding an {@link HaLock} on what it changes,
 * so that groups are taken over in parallel and nothing is worked on twice at once. Retries of one node's action are
 * throttled, and notices are recorded once while their situation lasts.
 */
final class HaActions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaActions.class);
    private static final long RETRY_MILLIS = 3000;
    private final MetadataStore store;
    private final EventLog events;
    private final ClusterRepository clusters = new ClusterRepository();
    /** Actions, one per group or node; their inner parallel steps run on {@link #steps}, so a full pool never waits on itself. */
    private final ExecutorService actions = Executors.newFixedThreadPool(64, HaLoop.daemon("ha-action"));
    private final ExecutorService steps = Executors.newFixedThreadPool(64, HaLoop.daemon("ha-step"));
    private final PrimaryFailover failover;
    private final IntentRecovery recovery;
    private final SyncSetKeeper keeper;
    private final Rejoiner rejoiner;
    private final Set<HaLock> busy = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> lastTry = new ConcurrentHashMap<>();
    private final Map<String, String> notices = new ConcurrentHashMap<>();
    /** Clusters whose coordinator must be pointed at moved shard primaries. */
    final Set<String> routingStale = ConcurrentHashMap.newKeySet();

    HaActions(MetadataStore store, EventLog events, NodeAgentClient agents, ActionSessions sessions) {
        this.store = store;
        this.events = events;
        Nodes pg = new SqlNodes(sessions);
        EnginePorts ports = new EnginePorts(store, events, pg, HaClock.SYSTEM);
        Agents nodeAgents = new HttpAgents(agents);
        this.keeper = new SyncSetKeeper(store, events, pg);
        this.failover = new PrimaryFailover(ports, steps, CandidateChoice::mayLead);
        this.recovery = new IntentRecovery(ports, failover, nodeAgents, IntentRecoveryTable::decide);
        this.rejoiner = new Rejoiner(ports, nodeAgents, Rejoiner.NUDGES);
    }

    boolean busy(HaLock lock) {
        return busy.contains(lock);
    }

    /** Carries out one group's decision. */
    void act(GroupFacts f, List<HaAction> decided) {
        ClusterRecord cluster = f.cluster();
        String subject = f.subject();
        HaLock groupLock = HaLock.group(cluster.name(), f.group().name());
        // A situation said once is forgotten when the decision moves on; failing over and resolving an intent may say
        // theirs (refused, waiting) again at every tick while they last, so they keep it too.
        if (decided.stream().noneMatch(a -> a.kind() == HaAction.Kind.NOTICE || a.kind() == HaAction.Kind.FAIL_OVER
                || a.kind() == HaAction.Kind.RESOLVE_INTENT)) {
            notices.remove(subject);
        }
        // An alert of a healthy group (commits waiting, no lease check) is said once per kind, so two that hold
        // together do not take turns being said at every tick; forgotten when it no longer holds.
        Set<String> alertsNow = decided.stream().filter(a -> a.kind() == HaAction.Kind.NOTICE && a.detail().startsWith("alert."))
                .map(a -> subject + "|" + a.detail()).collect(java.util.stream.Collectors.toSet());
        notices.keySet().removeIf(k -> k.startsWith(subject + "|alert.") && !alertsNow.contains(k));
        for (HaAction a : decided) {
            NodeState node = f.members().stream().filter(m -> m.name().equals(a.node())).findFirst().orElse(null);
            HaLock nodeLock = HaLock.node(cluster.name(), a.node());
            switch (a.kind()) {
                case RESOLVE_INTENT -> {
                    FailoverIntents.Intent intent = f.openIntent().orElseThrow();
                    boolean candidateDown = f.members().stream().anyMatch(m -> m.name().equals(intent.candidate()) && m.down());
                    if (due(subject)) {
                        submit(groupLock, () -> resolve(intent, candidateDown, subject));
                    }
                }
                case FENCE -> submit(nodeLock, () -> fence(cluster, node));
                case STOP_PRIMARY -> {
                    if (due(a.node())) {
                        submit(nodeLock, () -> rejoiner.stopUnpromoted(cluster, node.node()));
                    }
                }
                case FAIL_OVER -> submit(groupLock, () -> failOver(f, a));
                case START_PRIMARY -> {
                    if (due(a.node())) {
                        submit(groupLock, () -> rejoiner.startPrimary(cluster, node.node()));
                    }
                }
                case MAINTAIN_SYNC -> submit(groupLock, () -> keeper.maintain(cluster, f.group().name(), f.primary().get(), f.members(), f.stalled()));
                case REATTACH -> {
                    if (due(a.node())) {
                        submit(nodeLock, () -> reattach(cluster, node, f.primary().get()));
                    }
                }
                case REJOIN, START_STANDBY -> {
                    if (due(a.node()) && !busy.contains(nodeLock)) {
                        submit(nodeLock, () -> rejoin(cluster, node, a.kind() == HaAction.Kind.REJOIN));
                    }
                }
                case MARK_ASTRAY -> markForRejoin(cluster, node, f.primary().get());
                case NOTICE -> notice(a.detail().startsWith("alert.") ? subject + "|" + a.detail() : subject, a.detail(), subject, a.sentence());
                case WAIT -> log.debug("{}: {}", subject, a.sentence());
                default -> throw new IllegalStateException("unhandled " + a.kind());
            }
        }
    }

    private void failOver(GroupFacts f, HaAction a) throws Exception {
        String subject = f.subject();
        try {
            PrimaryFailover.Outcome out = failover.run(f.cluster(), f.group(), f.primary().get(), f.members(), a.detail(), a.sentence());
            if (out == null) {
                return; // the record changed since this tick's snapshot
            }
            keeper.pending(out.pendingSince());
            routingStale.add(f.cluster().name());
            notices.remove(subject);
        } catch (CandidateChoice.NoSafeCandidate refused) {
            notice(subject, "failover.refused", subject, "Primary " + f.primary().get().name() + " is lost but no standby is promoted: "
                    + refused.getMessage() + ".");
            // Nobody was promoted, so the recorded primary still holds every commit it acknowledged: once its computer
            // answers again it is started, rather than leaving the group without a primary until a DBA looks.
            NodeState primary = f.primary().get();
            if (due("start:" + primary.name())) {
                rejoiner.startPrimary(f.cluster(), primary.node(), "no standby may be promoted (" + refused.getMessage() + ")");
            }
        }
    }

    private void resolve(FailoverIntents.Intent intent, boolean candidateDown, String subject) {
        if (recovery.resolve(intent, candidateDown)) {
            routingStale.add(intent.cluster());
            notices.remove(subject);
        } else {
            notice(subject, "failover.waiting", subject, intent.kind() == IntentKind.UNKNOWN || intent.step() == IntentStep.UNKNOWN
                    ? "Intent " + intent.id() + " was written by a newer manager (a " + intent.kind() + " at step " + intent.step()
                    + "): this one cannot tell how to end it, so " + intent.group() + " waits for a DBA."
                    : "Intent " + intent.id() + " stopped at step " + intent.step() + " and its candidate " + intent.candidate()
                    + " does not answer: whether it was promoted cannot be known, so " + intent.group() + " waits for it.");
        }
    }

    private void markForRejoin(ClusterRecord cluster, NodeState m, NodeState primary) {
        store.inTransaction(c -> {
            clusters.setRole(c, m.name(), "standby", true);
            events.record(c, "node.astray", cluster.name() + "/" + m.node().group(), m.name() + " has not streamed from "
                    + primary.name() + " for " + HaDecision.ASTRAY_MILLIS / 1000 + " s: it will be rewound and restarted as its standby.");
            return null;
        });
    }

    private void reattach(ClusterRecord cluster, NodeState standby, NodeState primary) throws Exception {
        NodeSql.repoint(cluster, standby.node(), primary.node());
        events.record("node.reattached", cluster.name() + "/" + standby.node().group(), standby.name() + " was left detached by a takeover "
                + "that did not happen; it streams from " + primary.name() + " again.");
    }

    /**
     * The node and its group's primary as recorded now: an action decided on this tick's snapshot checks the record
     * again when it runs, since an action that just ended (a rejoin, a failover) may have changed it.
     */
    private Optional<NodeRecord[]> fresh(ClusterRecord cluster, String node) {
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, cluster.name()));
        Optional<NodeRecord> n = nodes.stream().filter(x -> x.name().equals(node)).findFirst();
        Optional<NodeRecord> p = n.flatMap(x -> nodes.stream().filter(y -> y.group().equals(x.group()) && y.isPrimary()).findFirst());
        return n.isPresent() && p.isPresent() ? Optional.of(new NodeRecord[] {n.get(), p.get()}) : Optional.empty();
    }

    /**
     * Fences a node seen taking writes. The record is read again first: if it now names this node primary (a failover
     * ended since the tick), the next tick decides afresh, and then fences whichever node the record does not name.
     */
    private void fence(ClusterRecord cluster, NodeState m) throws Exception {
        Optional<NodeRecord[]> now = fresh(cluster, m.name());
        if (now.isEmpty()) {
            return;
        }
        if (now.get()[0].isPrimary()) {
            events.record("fence.deferred", cluster.name() + "/" + m.node().group(), m.name() + " was seen taking writes, but the record "
                    + "names it primary since that probe: the group is judged again on the next probe.");
            return;
        }
        rejoiner.fence(cluster, now.get()[0], now.get()[1]);
    }

    private void rejoin(ClusterRecord cluster, NodeState m, boolean rewind) throws Exception {
        Optional<NodeRecord[]> now = fresh(cluster, m.name());
        if (now.isEmpty() || now.get()[0].isPrimary() || now.get()[0].needsRejoin() != rewind) {
            return; // decided on a record that has changed since
        }
        rejoiner.rejoin(cluster, now.get()[0], now.get()[1], rewind);
    }

    void submit(HaLock lock, Action action) {
        if (!busy.add(lock)) {
            return;
        }
        actions.execute(() -> {
            try {
                action.run();
            } catch (Exception e) {
                log.warn("HA action on {} failed: {}", lock, e.getMessage(), e);
                events.record("ha.action-failed", lock.cluster() + (lock.name().isEmpty() ? "" : "/" + lock.name()),
                        "An HA action on " + lock + " failed and will be retried: " + e.getMessage());
            } finally {
                busy.remove(lock);
            }
        });
    }

    /**
     * Runs work on a group while the loop keeps its hands off it (no failover, no sync-set change), waiting up to
     * 10 s for an action already running on it to end.
     */
    public <T> T exclusive(String cluster, String group, java.util.concurrent.Callable<T> work) throws Exception {
        HaLock lock = HaLock.group(cluster, group);
        long deadline = System.currentTimeMillis() + 10_000;
        while (!busy.add(lock)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("Group " + group + " is busy with another operation; try again in a moment.");
            }
            sleep(100);
        }
        try {
            return work.call();
        } finally {
            busy.remove(lock);
        }
    }

    /** Throttles retries of one node's (or group's) action. */
    private boolean due(String name) {
        long now = System.currentTimeMillis();
        Long last = lastTry.get(name);
        if (last != null && now - last < RETRY_MILLIS) {
            return false;
        }
        lastTry.put(name, now);
        return true;
    }

    /** Records a situation once, not at every tick while it lasts. */
    private void notice(String key, String kind, String subject, String message) {
        if (!message.equals(notices.put(key, message))) {
            events.record(kind, subject, message);
        }
    }


    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        actions.shutdownNow();
        steps.shutdownNow();
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }
}
