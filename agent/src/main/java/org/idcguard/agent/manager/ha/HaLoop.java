package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.ObservedNode;
import org.idcguard.model.HaSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's HA loop: every probe interval it observes (probes every node of every running cluster), decides
 * ({@link HaDecision}, a pure function per group) and acts (each action on a pool, holding an {@link HaLock} on what
 * it changes, so groups are taken over in parallel and never twice at once). Notices are recorded once while their
 * situation lasts.
 */
public final class HaLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaLoop.class);
    private static final long RETRY_MILLIS = 3000;
    private final MetadataStore store;
    private final EventLog events;
    private final HaSettingsStore settings;
    private final ClusterRepository clusters = new ClusterRepository();
    private final FailoverIntents intents = new FailoverIntents();
    private final ExecutorService probes = Executors.newCachedThreadPool(daemon("ha-probe"));
    /** Actions, one per group or node; their inner parallel steps run on {@link #steps}, so a full pool never waits on itself. */
    private final ExecutorService actions = Executors.newFixedThreadPool(64, daemon("ha-action"));
    private final ExecutorService steps = Executors.newFixedThreadPool(64, daemon("ha-step"));
    private final Thread loop = new Thread(this::run, "ha-loop");
    private final PrimaryFailover failover;
    private final IntentRecovery recovery;
    private final SyncSetKeeper keeper;
    private final Rejoiner rejoiner;
    private final Map<String, NodeHealth> health = new HashMap<>();
    private final Set<HaLock> busy = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> lastTry = new ConcurrentHashMap<>();
    private final Map<String, String> notices = new ConcurrentHashMap<>();
    private final Map<String, Long> lingering = new HashMap<>();
    private final Set<String> idcsDown = new HashSet<>();
    private final Set<String> routingStale = ConcurrentHashMap.newKeySet();
    private final Map<String, NodeState> latest = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    public HaLoop(MetadataStore store, EventLog events, NodeAgentClient agents, HaSettingsStore settings) {
        this.store = store;
        this.events = events;
        this.settings = settings;
        this.failover = new PrimaryFailover(store, events, steps);
        this.recovery = new IntentRecovery(store, events, failover);
        this.keeper = new SyncSetKeeper(store, events);
        this.rejoiner = new Rejoiner(store, events, agents);
    }

    /** Starts probing; intents a previous manager left unfinished are resolved by the first ticks. */
    public void start() {
        loop.setDaemon(true);
        loop.start();
    }

    private void run() {
        while (running) {
            long tickStart = System.currentTimeMillis();
            HaSettings s = settings.current();
            try {
                tick(s, tickStart);
            } catch (RuntimeException e) {
                log.warn("HA tick failed: {}", e.getMessage(), e);
            }
            long rest = tickStart + s.probeIntervalMillis() - System.currentTimeMillis();
            if (rest > 0) {
                sleep(rest);
            }
        }
    }

    private void tick(HaSettings s, long tickStart) {
        observe(readRecord(), s, tickStart);
        // Decide on the record as it is now, not as it was before the probes: an action may have ended meanwhile.
        List<ClusterView> views = readRecord();
        Map<String, FailoverIntents.Intent> open = store.inTransaction(intents::unfinished).stream()
                .collect(Collectors.toMap(i -> i.cluster() + "/" + i.group(), i -> i, (a, b) -> a));
        long now = System.currentTimeMillis();
        for (ClusterView v : views) {
            if (v.nodes().stream().anyMatch(n -> !health.containsKey(n.name()))) {
                continue; // a cluster that appeared since the probes were sent: next tick
            }
            Map<String, NodeState> states = v.nodes().stream().collect(Collectors.toMap(NodeRecord::name,
                    n -> health.get(n.name()).state(n, s.failedProbes())));
            latest.putAll(states);
            Set<String> downIdcs = v.nodes().stream().map(NodeRecord::idc).distinct()
                    .filter(idc -> v.nodes().stream().filter(n -> n.idc().equals(idc)).allMatch(n -> states.get(n.name()).down()))
                    .collect(Collectors.toSet());
            announceIdcs(v.cluster(), downIdcs);
            for (GroupRecord g : v.groups()) {
                if (busy.contains(HaLock.group(v.cluster().name(), g.name()))) {
                    continue;
                }
                List<NodeState> members = v.nodes().stream().filter(n -> n.group().equals(g.name())).map(n -> states.get(n.name())).toList();
                GroupFacts facts = new GroupFacts(v.cluster(), g, members, downIdcs, s, now,
                        Optional.ofNullable(open.get(v.cluster().name() + "/" + g.name())), linger(members, now));
                act(facts, HaDecision.decide(facts));
            }
            if (routingStale.contains(v.cluster().name())) {
                routeShards(v, states);
            }
            swapIdcsWhenAllMoved(v);
        }
    }

    private void observe(List<ClusterView> views, HaSettings s, long tickStart) {
        Map<String, NodeRecord> nodes = new HashMap<>();
        for (ClusterView v : views) {
            for (NodeRecord n : v.nodes()) {
                nodes.put(n.name(), n);
                health.computeIfAbsent(n.name(), k -> new NodeHealth(v.cluster(), n));
            }
        }
        health.keySet().removeIf(name -> {
            if (!nodes.containsKey(name)) {
                health.get(name).close();
                latest.remove(name);
                return true;
            }
            return false;
        });
        List<CompletableFuture<NodeObservation>> launched = new ArrayList<>();
        health.values().forEach(h -> launched.add(h.launch(s.probeTimeoutMillis(), probes)));
        try {
            CompletableFuture.allOf(launched.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, tickStart + s.probeTimeoutMillis() - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        } catch (Exception timedOutOrFailed) {
            // each probe's own outcome is read below
        }
        health.values().forEach(NodeHealth::harvest);
    }

    private List<ClusterView> readRecord() {
        return store.inTransaction(c -> {
            List<ClusterView> all = new ArrayList<>();
            for (ClusterRecord r : clusters.all(c)) {
                if (ClusterRecord.RUNNING.equals(r.status())) {
                    all.add(new ClusterView(r, clusters.groups(c, r.name()), clusters.nodes(c, r.name())));
                }
            }
            return all;
        });
    }

    /** Keeps, per lingering condition, since when it holds; a condition that ended is forgotten. */
    private Map<String, Long> linger(List<NodeState> members, long now) {
        Optional<NodeState> primary = members.stream().filter(m -> m.node().isPrimary()).findFirst();
        for (NodeState m : members) {
            boolean recovering = m.node().isPrimary() && m.answering() && m.observation().get().inRecovery();
            boolean astray = !m.node().isPrimary() && primary.map(NodeState::answering).orElse(false) && m.answering()
                    && !m.node().needsRejoin() && m.observation().get().inRecovery() && !HaDecision.streaming(primary.get(), m);
            track("recovering:" + m.name(), recovering, now);
            track("astray:" + m.name(), astray, now);
        }
        return Map.copyOf(lingering);
    }

    private void track(String key, boolean holds, long now) {
        if (holds) {
            lingering.putIfAbsent(key, now);
        } else {
            lingering.remove(key);
        }
    }

    /** Carries out one group's decision. */
    private void act(GroupFacts f, List<HaAction> decided) {
        ClusterRecord cluster = f.cluster();
        String subject = f.subject();
        HaLock groupLock = HaLock.group(cluster.name(), f.group().name());
        if (decided.stream().noneMatch(a -> a.kind() == HaAction.Kind.NOTICE)) {
            notices.remove(subject);
        }
        for (HaAction a : decided) {
            NodeState node = f.members().stream().filter(m -> m.name().equals(a.node())).findFirst().orElse(null);
            HaLock nodeLock = HaLock.node(cluster.name(), a.node());
            switch (a.kind()) {
                case RESOLVE_INTENT -> {
                    FailoverIntents.Intent intent = f.openIntent().orElseThrow();
                    if (due(subject)) {
                        submit(groupLock, () -> resolve(intent, subject));
                    }
                }
                case FENCE -> submit(nodeLock, () -> fence(cluster, node));
                case FAIL_OVER -> submit(groupLock, () -> failOver(f, a));
                case START_PRIMARY -> {
                    if (due(a.node())) {
                        submit(groupLock, () -> rejoiner.startPrimary(cluster, node.node()));
                    }
                }
                case MAINTAIN_SYNC -> submit(groupLock, () -> keeper.maintain(cluster, f.group().name(), f.primary().get(), f.members()));
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
                case NOTICE -> notice(subject, a.detail(), subject, a.sentence());
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
        }
    }

    private void resolve(FailoverIntents.Intent intent, String subject) {
        if (recovery.resolve(intent)) {
            routingStale.add(intent.cluster());
            notices.remove(subject);
        } else {
            notice(subject, "failover.waiting", subject, "Intent " + intent.id() + " stopped at step " + intent.step() + " and its "
                    + "candidate " + intent.candidate() + " does not answer: whether it was promoted cannot be known, so "
                    + intent.group() + " waits for it.");
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
        record("node.reattached", cluster.name() + "/" + standby.node().group(), standby.name() + " was left detached by a takeover "
                + "that did not happen; it streams from " + primary.name() + " again.");
    }

    private void routeShards(ClusterView v, Map<String, NodeState> states) {
        Optional<NodeRecord> coordinator = v.nodes().stream().filter(n -> "coordinator".equals(n.group()) && n.isPrimary()).findFirst();
        if (coordinator.isEmpty() || !states.get(coordinator.get().name()).answering()
                || busy.contains(HaLock.group(v.cluster().name(), "coordinator"))) {
            return;
        }
        String name = v.cluster().name();
        submit(HaLock.routing(name), () -> {
            // the record as it is now: a failover that ended after this tick's snapshot changed a shard's primary
            List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, name));
            NodeRecord coordinatorNow = nodes.stream().filter(n -> "coordinator".equals(n.group()) && n.isPrimary()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the coordinator has no recorded primary"));
            int changed = ShardRouting.apply(v.cluster(), coordinatorNow, nodes);
            routingStale.remove(name);
            if (changed > 0) {
                record("routing.updated", name, "The coordinator now tries each shard's new primary first (" + changed
                        + " foreign server(s) updated).");
            }
        });
    }

    /** When every group's primary stands in the backup IDC, the two IDCs have swapped roles. */
    private void swapIdcsWhenAllMoved(ClusterView v) {
        ClusterRecord c = v.cluster();
        boolean allInBackup = v.nodes().stream().filter(NodeRecord::isPrimary).allMatch(n -> n.idc().equals(c.backupIdc()))
                && v.nodes().stream().anyMatch(NodeRecord::isPrimary);
        if (allInBackup) {
            store.inTransaction(tx -> {
                clusters.setIdcs(tx, c.name(), c.backupIdc(), c.primaryIdc());
                events.record(tx, "cluster.idc-swapped", c.name(), "Every primary of " + c.name() + " is now in " + c.backupIdc()
                        + ": it is the primary IDC, and " + c.primaryIdc() + " the backup.");
                return null;
            });
        }
    }

    private void announceIdcs(ClusterRecord cluster, Set<String> downIdcs) {
        for (String idc : downIdcs) {
            if (idcsDown.add(cluster.name() + "/" + idc)) {
                record("idc.down", cluster.name(), "IDC " + idc + " is down for " + cluster.name()
                        + ": none of its nodes answered the last probes.");
            }
        }
        idcsDown.removeIf(k -> {
            if (k.startsWith(cluster.name() + "/") && !downIdcs.contains(k.substring(cluster.name().length() + 1))) {
                record("idc.up", cluster.name(), "IDC " + k.substring(cluster.name().length() + 1) + " answers again for " + cluster.name() + ".");
                return true;
            }
            return false;
        });
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
            record("fence.deferred", cluster.name() + "/" + m.node().group(), m.name() + " was seen taking writes, but the record "
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

    private void submit(HaLock lock, Action action) {
        if (!busy.add(lock)) {
            return;
        }
        actions.execute(() -> {
            try {
                action.run();
            } catch (Exception e) {
                log.warn("HA action on {} failed: {}", lock, e.getMessage(), e);
                record("ha.action-failed", lock.cluster() + (lock.name().isEmpty() ? "" : "/" + lock.name()),
                        "An HA action on " + lock + " failed and will be retried: " + e.getMessage());
            } finally {
                busy.remove(lock);
            }
        });
    }

    /** A failover or switch begun and not ended, as the API shows it. */
    public record OpenIntent(long id, String kind, String cluster, String group, String oldPrimary, String candidate, String step,
                             String reason) {
    }

    /** What the manager is in the middle of: intents recorded and not yet ended (resolved by the next ticks). */
    public List<OpenIntent> openIntents() {
        return store.inTransaction(intents::unfinished).stream().map(i -> new OpenIntent(i.id(), i.kind(), i.cluster(), i.group(),
                i.oldPrimary(), i.candidate(), i.step(), i.reason())).toList();
    }

    /** A node as the last tick saw it, in the cluster detail's words; empty before the loop has probed it. */
    public Optional<ObservedNode> observed(String node) {
        NodeState n = latest.get(node);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.answering()) {
            return Optional.of(ObservedNode.down());
        }
        NodeObservation o = n.observation().get();
        Map<String, ObservedNode.Replica> replicas = new HashMap<>();
        o.replicas().forEach(r -> replicas.put(r.name(), new ObservedNode.Replica(r.syncState(), Math.max(0, o.lsn() - r.flushLsn()))));
        return Optional.of(new ObservedNode(o.inRecovery() ? "standby" : "primary", Lsn.format(o.lsn()), replicas));
    }

    /** Each node as the last tick saw it (for a planned switch's preflight and the cluster detail). */
    public Optional<NodeState> latest(String node) {
        return Optional.ofNullable(latest.get(node));
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

    /** After primaries moved by other means than a failover: point the coordinator at them on the next tick. */
    public void primariesMoved(String cluster) {
        routingStale.add(cluster);
    }

    public boolean routingPending(String cluster) {
        return routingStale.contains(cluster);
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
            record(kind, subject, message);
        }
    }

    private void record(String kind, String subject, String message) {
        store.inTransaction(c -> {
            events.record(c, kind, subject, message);
            return null;
        });
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
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
        running = false;
        loop.interrupt();
        actions.shutdownNow();
        steps.shutdownNow();
        probes.shutdownNow();
        health.values().forEach(NodeHealth::close);
    }

    private record ClusterView(ClusterRecord cluster, List<GroupRecord> groups, List<NodeRecord> nodes) {
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }
}
