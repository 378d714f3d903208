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
import org.idcguard.model.HaSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's HA loop. Every probe interval it probes every node of every running cluster, then decides per
 * group from what it saw (DESIGN "Failure detection", "Automatic IDC takeover", "Fencing and rejoin"):
 * <ul>
 *   <li>a primary down for K probes whose standbys confirm their WAL stream from it stopped is failed over, to the
 *       other IDC when its whole IDC is down, else preferably within its IDC;</li>
 *   <li>a node that believes it is primary but is not the recorded one is fenced;</li>
 *   <li>nodes marked for rejoin are rewound and started as standbys once their computer answers;</li>
 *   <li>the sync set follows the standbys' health.</li>
 * </ul>
 * Decisions are taken on the loop's thread; the actions run on a separate pool, at most one per group or node.
 */
public final class HaLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaLoop.class);
    private static final long RETRY_MILLIS = 3000;
    private static final long ASTRAY_MILLIS = 10_000;
    private final MetadataStore store;
    private final EventLog events;
    private final HaSettingsStore settings;
    private final ClusterRepository clusters = new ClusterRepository();
    private final ExecutorService probes = Executors.newCachedThreadPool(daemon("ha-probe"));
    private final ExecutorService actions = Executors.newCachedThreadPool(daemon("ha-action"));
    private final Thread loop = new Thread(this::run, "ha-loop");
    private final PrimaryFailover failover;
    private final SyncSetKeeper keeper;
    private final Rejoiner rejoiner;
    private final FailoverIntents intents = new FailoverIntents();
    private final Map<String, NodeHealth> health = new HashMap<>();
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> lastTry = new ConcurrentHashMap<>();
    private final Map<String, String> notices = new ConcurrentHashMap<>();
    private final Map<String, Long> astraySince = new HashMap<>();
    private final Set<String> idcsDown = new HashSet<>();
    private final Set<String> routingStale = ConcurrentHashMap.newKeySet();
    private final Map<String, NodeState> latest = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    public HaLoop(MetadataStore store, EventLog events, NodeAgentClient agents, HaSettingsStore settings) {
        this.store = store;
        this.events = events;
        this.settings = settings;
        this.failover = new PrimaryFailover(store, events, actions);
        this.keeper = new SyncSetKeeper(store, events);
        this.rejoiner = new Rejoiner(store, events, agents);
    }

    /** Finishes or abandons failovers a previous manager left unfinished, then starts probing. */
    public void start() {
        for (FailoverIntents.Intent intent : store.inTransaction(intents::unfinished)) {
            String key = groupKey(intent.cluster(), intent.group());
            busy.add(key);
            actions.execute(() -> resume(intent, key));
        }
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
        List<ClusterView> views = store.inTransaction(c -> {
            List<ClusterView> all = new ArrayList<>();
            for (ClusterRecord r : clusters.all(c)) {
                if (ClusterRecord.RUNNING.equals(r.status())) {
                    all.add(new ClusterView(r, clusters.groups(c, r.name()), clusters.nodes(c, r.name())));
                }
            }
            return all;
        });
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
        // Decide on the record as it is now, not as it was before the probes: an action may have ended meanwhile.
        views = store.inTransaction(c -> {
            List<ClusterView> all = new ArrayList<>();
            for (ClusterRecord r : clusters.all(c)) {
                if (ClusterRecord.RUNNING.equals(r.status())) {
                    all.add(new ClusterView(r, clusters.groups(c, r.name()), clusters.nodes(c, r.name())));
                }
            }
            return all;
        });
        for (ClusterView v : views) {
            if (v.nodes().stream().anyMatch(n -> !health.containsKey(n.name()))) {
                continue; // a cluster that appeared since the probes were sent: next tick
            }
            Map<String, NodeState> states = v.nodes().stream().collect(Collectors.toMap(NodeRecord::name,
                    n -> health.get(n.name()).state(n, s.failedProbes())));
            latest.putAll(states);
            decide(v, states, s);
        }
    }

    private void decide(ClusterView v, Map<String, NodeState> states, HaSettings s) {
        ClusterRecord cluster = v.cluster();
        Set<String> downIdcs = v.nodes().stream().map(NodeRecord::idc).distinct()
                .filter(idc -> v.nodes().stream().filter(n -> n.idc().equals(idc)).allMatch(n -> states.get(n.name()).down()))
                .collect(Collectors.toSet());
        announceIdcs(cluster, downIdcs);
        for (GroupRecord g : v.groups()) {
            String key = groupKey(cluster.name(), g.name());
            if (busy.contains(key)) {
                continue;
            }
            List<NodeState> members = v.nodes().stream().filter(n -> n.group().equals(g.name())).map(n -> states.get(n.name())).toList();
            Optional<NodeState> primary = members.stream().filter(m -> m.node().isPrimary()).findFirst();
            if (primary.isEmpty()) {
                continue;
            }
            fenceRogues(cluster, primary.get(), members);
            if (primary.get().answering()) {
                tendHealthyGroup(cluster, g, key, primary.get(), members);
            } else if (primary.get().down()) {
                handleLostPrimary(cluster, g, key, primary.get(), members, downIdcs, s);
            }
        }
        if (routingStale.contains(cluster.name())) {
            routeShards(v, states);
        }
        swapIdcsWhenAllMoved(v);
    }

    private void tendHealthyGroup(ClusterRecord cluster, GroupRecord g, String key, NodeState primary, List<NodeState> members) {
        NodeObservation seen = primary.observation().orElseThrow();
        if (seen.inRecovery()) {
            // A probe sent just before a promotion finished sees a standby for one tick; only a lasting state is news.
            long since = astraySince.computeIfAbsent("primary:" + primary.name(), k -> System.currentTimeMillis());
            if (System.currentTimeMillis() - since > ASTRAY_MILLIS) {
                notice(key, "node.unexpected", cluster.name() + "/" + g.name(), "Recorded primary " + primary.name()
                        + " is in recovery; the manager leaves the group alone until a DBA looks.");
            }
            return;
        }
        astraySince.remove("primary:" + primary.name());
        notices.remove(key);
        if (keeper.needsWork(cluster, g, primary, members)) {
            submit(key, () -> keeper.maintain(cluster, g.name(), primary, members));
        }
        for (NodeState m : members) {
            if (m == primary || busy.contains(nodeKey(m.name())) || busy.contains("fence:" + m.name())) {
                continue;
            }
            boolean streaming = seen.replica(m.name()).map(r -> "streaming".equals(r.state()) || "catchup".equals(r.state())).orElse(false);
            if (streaming || m.node().needsRejoin() || m.down()) {
                astraySince.remove(m.name());
            }
            if (m.node().needsRejoin() && due(m.name())) {
                submit(nodeKey(m.name()), () -> rejoin(cluster, m, true));
            } else if (!m.node().needsRejoin() && m.down() && due(m.name())) {
                submit(nodeKey(m.name()), () -> rejoin(cluster, m, false));
            } else if (m.answering() && !streaming && m.observation().get().inRecovery()) {
                long since = astraySince.computeIfAbsent(m.name(), k -> System.currentTimeMillis());
                if (System.currentTimeMillis() - since > ASTRAY_MILLIS) {
                    astraySince.remove(m.name());
                    markForRejoin(cluster, m, primary);
                }
            }
        }
    }

    private void handleLostPrimary(ClusterRecord cluster, GroupRecord g, String key, NodeState primary, List<NodeState> members,
                                   Set<String> downIdcs, HaSettings s) {
        String subject = cluster.name() + "/" + g.name();
        List<NodeState> standbys = members.stream().filter(m -> m != primary && m.answering() && !m.node().needsRejoin()
                && m.observation().get().inRecovery()).toList();
        if (standbys.isEmpty()) {
            if (members.stream().noneMatch(NodeState::answering) && due(primary.name())) {
                submit(key, () -> rejoiner.startPrimary(cluster, primary.node()));
            }
            notice(key, "failover.impossible", subject, "Primary " + primary.name() + " and every standby of " + g.name()
                    + " are down: waiting for one to return.");
            return;
        }
        List<String> hearing = standbys.stream().filter(m -> m.observation().get().receiver()
                .map(r -> r.hears(primary.node().address(), primary.node().port(), s.streamSilenceMillis())).orElse(false))
                .map(NodeState::name).toList();
        if (!hearing.isEmpty()) {
            notice(key, "failover.withheld", subject, "Primary " + primary.name() + " does not answer the manager, but "
                    + String.join(", ", hearing) + " still receive its WAL: no failover (the manager may be cut off, not the primary).");
            return;
        }
        boolean idcDown = downIdcs.contains(primary.idc());
        String preferIdc = idcDown ? otherIdc(cluster, primary.idc()) : primary.idc();
        String why = (idcDown ? "IDC " + primary.idc() + " is down: no node of " + cluster.name() + " there answers and " : "Primary "
                + primary.name() + " failed " + s.failedProbes() + " probes in a row and ")
                + standbys.stream().map(NodeState::name).collect(Collectors.joining(", ")) + " confirm their WAL stream from "
                + primary.name() + " stopped.";
        submit(key, () -> {
            try {
                PrimaryFailover.Outcome out = failover.run(cluster, g, primary, members, preferIdc, why);
                if (out == null) {
                    return; // the record changed since this tick's snapshot
                }
                keeper.pending(out.pendingSince());
                routingStale.add(cluster.name());
                notices.remove(key);
            } catch (CandidateChoice.NoSafeCandidate refused) {
                notice(key, "failover.refused", subject, "Primary " + primary.name() + " is lost but no standby is promoted: "
                        + refused.getMessage() + ".");
            }
        });
    }

    /** Any node that takes writes but is not the recorded primary is fenced on sight: two writable primaries must not last. */
    private void fenceRogues(ClusterRecord cluster, NodeState primary, List<NodeState> members) {
        for (NodeState m : members) {
            if (m != primary && m.answering() && m.observation().get().writable() && !busy.contains(nodeKey(m.name()))) {
                submit("fence:" + m.name(), () -> fence(cluster, m));
            }
        }
    }

    private void markForRejoin(ClusterRecord cluster, NodeState m, NodeState primary) {
        store.inTransaction(c -> {
            clusters.setRole(c, m.name(), "standby", true);
            events.record(c, "node.astray", cluster.name() + "/" + m.node().group(), m.name() + " has not streamed from "
                    + primary.name() + " for " + ASTRAY_MILLIS / 1000 + " s: it will be rewound and restarted as its standby.");
            return null;
        });
    }

    private void routeShards(ClusterView v, Map<String, NodeState> states) {
        Optional<NodeRecord> coordinator = v.nodes().stream().filter(n -> "coordinator".equals(n.group()) && n.isPrimary()).findFirst();
        if (coordinator.isEmpty() || !states.get(coordinator.get().name()).answering()
                || busy.contains(groupKey(v.cluster().name(), "coordinator"))) {
            return;
        }
        String name = v.cluster().name();
        submit("routing:" + name, () -> {
            // the record as it is now: a failover that ended after this tick's snapshot changed a shard's primary
            List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, name));
            NodeRecord coordinatorNow = nodes.stream().filter(n -> "coordinator".equals(n.group()) && n.isPrimary()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the coordinator has no recorded primary"));
            int changed = ShardRouting.apply(v.cluster(), coordinatorNow, nodes);
            routingStale.remove(name);
            if (changed > 0) {
                store.inTransaction(c -> {
                    events.record(c, "routing.updated", name, "The coordinator now tries each shard's new primary first ("
                            + changed + " foreign server(s) updated).");
                    return null;
                });
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

    /** A failover a previous manager left: finished if its candidate was promoted, abandoned if it was not. */
    private void resume(FailoverIntents.Intent intent, String key) {
        try {
            while (running) {
                ClusterRecord cluster = store.inTransaction(c -> clusters.find(c, intent.cluster())).orElse(null);
                if (cluster == null) {
                    store.inTransaction(c -> {
                        intents.step(c, intent.id(), FailoverIntents.ABANDONED);
                        return null;
                    });
                    return;
                }
                List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, intent.cluster()));
                NodeRecord candidate = nodes.stream().filter(n -> n.name().equals(intent.candidate())).findFirst().orElseThrow();
                NodeRecord old = nodes.stream().filter(n -> n.name().equals(intent.oldPrimary())).findFirst().orElseThrow();
                Optional<Boolean> inRecovery = NodeSql.inRecovery(cluster, candidate);
                if (inRecovery.isPresent()) {
                    boolean promoted = !inRecovery.get();
                    GroupRecord group = store.inTransaction(c -> clusters.groups(c, intent.cluster())).stream()
                            .filter(g -> g.name().equals(intent.group())).findFirst().orElseThrow();
                    store.inTransaction(c -> {
                        if (promoted) {
                            failover.recordRoles(c, cluster, group, candidate, old, List.of(), List.of());
                        }
                        intents.step(c, intent.id(), promoted ? FailoverIntents.DONE : FailoverIntents.ABANDONED);
                        events.record(c, promoted ? "failover.resumed" : "failover.abandoned", intent.cluster() + "/" + intent.group(),
                                promoted ? "The manager stopped after promoting " + candidate.name() + " but before recording it: "
                                        + candidate.name() + " is recorded as primary now, " + old.name() + " will be rewound."
                                        : "The manager stopped before promoting " + candidate.name() + ": the failover is abandoned "
                                        + "and the group is judged afresh.");
                        return null;
                    });
                    if (promoted) {
                        routingStale.add(intent.cluster());
                    }
                    return;
                }
                sleep(1000); // the candidate does not answer: neither outcome can be known yet, so the group waits
            }
        } finally {
            busy.remove(key);
        }
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
     * Fences a node seen taking writes, unless the record now names it primary or its group is failing over: a node
     * just promoted is writable a moment before the failover records it.
     */
    private void fence(ClusterRecord cluster, NodeState m) throws Exception {
        Optional<NodeRecord[]> now = fresh(cluster, m.name());
        if (now.isEmpty() || now.get()[0].isPrimary() || busy.contains(groupKey(cluster.name(), m.node().group()))) {
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

    private void submit(String key, Action action) {
        if (!busy.add(key)) {
            return;
        }
        actions.execute(() -> {
            try {
                action.run();
            } catch (Exception e) {
                log.warn("HA action {} failed: {}", key, e.getMessage(), e);
                record("ha.action-failed", key, "An HA action on " + key + " failed and will be retried: " + e.getMessage());
            } finally {
                busy.remove(key);
            }
        });
    }

    /** Each node as the last tick saw it (for a planned switch's preflight). */
    public Optional<NodeState> latest(String node) {
        return Optional.ofNullable(latest.get(node));
    }

    /**
     * Runs work on a group while the loop keeps its hands off it (no failover, no sync-set change), waiting up to
     * 10 s for an action already running on it to end.
     */
    public <T> T exclusive(String cluster, String group, java.util.concurrent.Callable<T> work) throws Exception {
        String key = groupKey(cluster, group);
        long deadline = System.currentTimeMillis() + 10_000;
        while (!busy.add(key)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("Group " + group + " is busy with another operation; try again in a moment.");
            }
            sleep(100);
        }
        try {
            return work.call();
        } finally {
            busy.remove(key);
        }
    }

    /** After primaries moved by other means than a failover: point the coordinator at them on the next tick. */
    public void primariesMoved(String cluster) {
        routingStale.add(cluster);
    }

    public boolean routingPending(String cluster) {
        return routingStale.contains(cluster);
    }

    /** Throttles retries of one node's action. */
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

    private static String otherIdc(ClusterRecord c, String idc) {
        return idc.equals(c.primaryIdc()) ? c.backupIdc() : c.primaryIdc();
    }

    private static String groupKey(String cluster, String group) {
        return "group:" + cluster + "/" + group;
    }

    private static String nodeKey(String node) {
        return "node:" + node;
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
