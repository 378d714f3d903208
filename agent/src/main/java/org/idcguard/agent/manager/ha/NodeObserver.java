package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.ObservedNode;
import org.idcguard.model.HaSettings;

/**
 * The HA loop's eyes: probes every node of every running cluster once a tick (at most one probe in flight per node,
 * a probe still running at the tick's end counted as failed), keeps each node's state as the last tick saw it, and
 * since when each lingering condition has held. Used by the loop's thread; {@link #latest} and {@link #observed} may
 * be read from any thread.
 */
final class NodeObserver implements AutoCloseable {
    private final ExecutorService probes = Executors.newCachedThreadPool(HaLoop.daemon("ha-probe"));
    private final Map<String, NodeHealth> health = new HashMap<>();
    private final Map<String, Long> lingering = new HashMap<>();
    private final Map<String, NodeState> latest = new ConcurrentHashMap<>();
    /** Per node, its last answered probe: what the detail shows while the loop does not yet count it down. */
    private final Map<String, NodeObservation> lastAnswered = new ConcurrentHashMap<>();
    private final Map<String, ProbeStats> stats = new ConcurrentHashMap<>();
    /** Per primary, its lease file's stamp on the last probe (see {@link #leaseStampUnchanged}). */
    private final Map<String, Long> leaseStamps = new HashMap<>();
    /** Per primary, whether the lease check governed its commits the last time it answered as a primary. */
    private final Map<String, Boolean> leaseEnforcedWhenLastSeen = new ConcurrentHashMap<>();
    private final ActionSessions sessions;

    NodeObserver(ActionSessions sessions) {
        this.sessions = sessions;
    }

    void observe(List<ClusterView> views, HaSettings s, long tickStart) {
        Map<String, NodeRecord> nodes = new HashMap<>();
        Map<String, ClusterView> clusterOf = new HashMap<>();
        for (ClusterView v : views) {
            for (NodeRecord n : v.nodes()) {
                nodes.put(n.name(), n);
                clusterOf.put(n.name(), v);
                health.computeIfAbsent(n.name(), k -> new NodeHealth(v.cluster(), n));
            }
        }
        sessions.retainOnly(nodes.keySet());
        health.keySet().removeIf(name -> {
            if (!nodes.containsKey(name)) {
                health.get(name).close();
                latest.remove(name);
                lastAnswered.remove(name);
                stats.remove(name);
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
        health.forEach((name, h) -> stats.put(name, h.stats()));
        // A standby that answers gets a session kept open for the takeover that would detach and promote it.
        health.forEach((name, h) -> {
            if (h.answeringInRecovery()) {
                sessions.warm(clusterOf.get(name).cluster(), nodes.get(name), probes);
            }
        });
    }

    /** Every node of the cluster as this tick saw it, or empty for a cluster that appeared since the probes were sent. */
    Optional<Map<String, NodeState>> states(ClusterView v, HaSettings s) {
        if (v.nodes().stream().anyMatch(n -> !health.containsKey(n.name()))) {
            return Optional.empty();
        }
        Map<String, NodeState> states = v.nodes().stream().collect(Collectors.toMap(NodeRecord::name,
                n -> health.get(n.name()).state(n, s.failedProbes())));
        latest.putAll(states);
        states.forEach((name, st) -> {
            if (st.answering()) {
                lastAnswered.put(name, st.observation().get());
            }
        });
        return Optional.of(states);
    }

    /** Whether the node's WAL receiver streams from another node of its group. */
    private static boolean followsMember(NodeState m, List<NodeState> members) {
        return m.observation().get().receiver().map(r -> members.stream().anyMatch(o -> o != m
                && r.senderHost().equals(o.node().address()) && r.senderPort() == o.node().port())).orElse(false);
    }

    /** Keeps, per lingering condition, since when it holds; a condition that ended is forgotten. */
    Map<String, Long> linger(List<NodeState> members, long now) {
        Optional<NodeState> primary = members.stream().filter(m -> m.node().isPrimary()).findFirst();
        for (NodeState m : members) {
            boolean recovering = m.node().isPrimary() && m.answering() && m.observation().get().inRecovery();
            boolean astray = !m.node().isPrimary() && primary.map(NodeState::answering).orElse(false) && m.answering()
                    && !m.node().needsRejoin() && m.observation().get().inRecovery() && !HaDecision.streaming(primary.get(), m);
            boolean leading = m.node().isPrimary() && m.answering() && !m.observation().get().inRecovery();
            boolean unleased = leading && !m.observation().get().leaseEnforced();
            if (leading) {
                leaseEnforcedWhenLastSeen.put(m.name(), m.observation().get().leaseEnforced());
            }
            track("unleased:" + m.name(), unleased, now);
            track("lease-unrenewed:" + m.name(), leading && leaseStampUnchanged(m), now);
            track("recovering:" + m.name(), recovering, now);
            // a recorded primary in recovery that follows nobody or a node of its own group: a takeover's candidate recorded
            // while silent and never promoted (detached by it, or still streaming from the standby it was fast-forwarded
            // from); timed on its own, so a primary a DBA pointed elsewhere does not count from its first such probe
            track("unpromoted:" + m.name(), recovering && (m.observation().get().detached() || followsMember(m, members)), now);
            track("astray:" + m.name(), astray, now);
        }
        return Map.copyOf(lingering);
    }

    /**
     * Whether the primary's lease file carries the same stamp as on the previous probe: nobody wrote it in between (a
     * lease or a failsafe extension rewrites it every probe interval or so). Counted on this manager's clock from the
     * first such probe, so neither the node's clock nor a file copied with an old stamp into a standby later promoted
     * can make it look old. Only where the lease check is loaded: elsewhere an unrenewed lease stops no commit.
     */
    private boolean leaseStampUnchanged(NodeState primary) {
        NodeObservation seen = primary.observation().get();
        if (!seen.leaseEnforced()) {
            leaseStamps.remove(primary.name());
            return false;
        }
        Long before = leaseStamps.put(primary.name(), seen.leaseStamp());
        return before != null && before == seen.leaseStamp();
    }

    private void track(String key, boolean holds, long now) {
        if (holds) {
            lingering.putIfAbsent(key, now);
        } else {
            lingering.remove(key);
        }
    }

    /**
     * Whether the lease check governed the node's commits the last time it answered as a primary; true for one this
     * manager never saw as a primary (a manager started after its city went dark cannot know otherwise).
     */
    boolean leaseEnforcedWhenLastSeen(String node) {
        return leaseEnforcedWhenLastSeen.getOrDefault(node, true);
    }

    /**
     * A node as the last tick saw it, in the cluster detail's words; empty before the loop has probed it. A node
     * whose latest probes failed but fewer than the failover rule counts as down keeps its last answer: one late
     * probe on a loaded computer is not an outage, and the topology must not say "down" for what the loop does not.
     */
    public Optional<ObservedNode> observed(String node) {
        NodeState n = latest.get(node);
        if (n == null) {
            return Optional.empty();
        }
        NodeObservation o = n.answering() ? n.observation().get() : n.down() ? null : lastAnswered.get(node);
        if (o == null) {
            return Optional.of(ObservedNode.down());
        }
        Map<String, ObservedNode.Replica> replicas = new HashMap<>();
        o.replicas().forEach(r -> replicas.put(r.name(), new ObservedNode.Replica(r.syncState(), Math.max(0, o.lsn() - r.flushLsn()))));
        return Optional.of(new ObservedNode(o.inRecovery() ? "standby" : "primary", Lsn.format(o.lsn()), replicas));
    }

    /** Each node's probing (latency of the last answer, failures so far), readable from any thread. */
    Map<String, ProbeStats> probeStats() {
        return Map.copyOf(stats);
    }

    /** Each node as the last tick saw it (for a planned switch's preflight and the cluster detail). */
    public Optional<NodeState> latest(String node) {
        return Optional.ofNullable(latest.get(node));
    }

    @Override
    public void close() {
        probes.shutdownNow();
        health.values().forEach(NodeHealth::close);
    }
}
