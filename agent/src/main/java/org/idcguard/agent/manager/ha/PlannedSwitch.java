package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.task.TaskRunner;
import org.idcguard.model.Names;
import org.idcguard.model.SwitchPlan;
import org.idcguard.model.TaskView;

/**
 * The planned IDC switch: preflight and plan from what the HA loop last observed, then every group moved in parallel
 * ({@link GroupHandover}) with the HA loop kept off the group, their write pauses lined up, and the coordinator
 * pointed at the new primaries.
 */
public final class PlannedSwitch {
    /** Most a candidate's flushed WAL may lag behind for a switch to start: the rest streams during the shutdown. */
    static final long MAX_LAG_BYTES = 1024 * 1024;
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final TaskRunner tasks;
    private final HaLoop ha;
    private final ClusterRepository clusters = new ClusterRepository();
    private final GroupHandover handover;

    public PlannedSwitch(MetadataStore store, EventLog events, NodeAgentClient agents, TaskRunner tasks, HaLoop ha) {
        this.store = store;
        this.events = events;
        this.agents = agents;
        this.tasks = tasks;
        this.ha = ha;
        this.handover = new GroupHandover(new EnginePorts(store, events, new SqlNodes(new ActionSessions()), HaClock.SYSTEM),
                new HttpAgents(agents));
    }

    public SwitchPlan plan(String clusterName, String to) {
        ClusterRecord cluster = store.inTransaction(c -> clusters.find(c, clusterName))
                .orElseThrow(() -> ApiFailure.notFound("There is no cluster named " + Names.shorten(clusterName) + "."));
        if (to == null || to.isBlank()) {
            throw new ApiFailure(400, "Choose the IDC to switch to.", "to");
        }
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, clusterName));
        if (!ClusterRecord.idcsOf(nodes).contains(to)) {
            throw new ApiFailure(400, "Cluster " + cluster.name() + " has no nodes in IDC " + Names.shorten(to) + ".", "to");
        }
        if (cluster.isDr(to)) {
            throw new ApiFailure(400, "IDC " + to + " is the DR city's: promote the backup city (dr promote) to move there.", "to");
        }
        if (!ClusterRecord.RUNNING.equals(cluster.status())) {
            throw ApiFailure.conflict(null, "Cluster " + cluster.name() + " is " + cluster.status() + ", not running.");
        }
        List<GroupRecord> groups = store.inTransaction(c -> clusters.groups(c, clusterName));
        if (nodes.stream().filter(NodeRecord::isPrimary).allMatch(n -> n.idc().equals(to))) {
            throw ApiFailure.conflict("to", "Every primary of " + cluster.name() + " is already in " + to + ".");
        }
        List<SwitchPlan.GroupMove> moves = new ArrayList<>();
        for (GroupRecord g : groups) {
            moves.add(move(g, nodes.stream().filter(n -> n.group().equals(g.name())).toList(), to, ha::latest));
        }
        String from = nodes.stream().filter(NodeRecord::isPrimary).map(NodeRecord::idc).filter(i -> !i.equals(to)).findFirst()
                .orElse(otherIdc(cluster, to));
        return new SwitchPlan(cluster.name(), from, to, moves);
    }

    /** One group's move, planned from what the probes last saw of each node ({@code latest}). */
    static SwitchPlan.GroupMove move(GroupRecord g, List<NodeRecord> members, String to,
                                     java.util.function.Function<String, Optional<NodeState>> latest) {
        Optional<NodeRecord> primary = members.stream().filter(NodeRecord::isPrimary).findFirst();
        if (primary.isEmpty()) {
            return blocked(g, "-", "it has no recorded primary.");
        }
        NodeRecord p = primary.get();
        Optional<NodeState> ps = latest.apply(p.name());
        if (ps.isEmpty() || !ps.get().answering() || !ps.get().observation().get().writable()) {
            return blocked(g, p.name(), "its primary " + p.name() + " does not answer as a writable primary.");
        }
        NodeObservation seen = ps.get().observation().get();
        if (p.idc().equals(to)) {
            return new SwitchPlan.GroupMove(g.name(), p.name(), Lsn.format(seen.lsn()), p.name(), Lsn.format(seen.lsn()), 0, 0, null);
        }
        List<String> reasons = new ArrayList<>();
        Optional<NodeRecord> best = Optional.empty();
        long bestFlush = -1;
        for (NodeRecord s : members.stream().filter(m -> m.idc().equals(to)).toList()) {
            Optional<NodeState> st = latest.apply(s.name());
            Optional<NodeObservation.Replica> r = seen.replica(s.name());
            if (s.needsRejoin() || st.isEmpty() || !st.get().answering()) {
                reasons.add(s.name() + " does not answer");
            } else if (r.isEmpty() || !"streaming".equals(r.get().state())) {
                reasons.add(s.name() + " is not streaming");
            } else if (!g.syncStandbys().contains(s.name())) {
                reasons.add(s.name() + " is not in the sync set");
            } else if (seen.lsn() - r.get().flushLsn() > MAX_LAG_BYTES) {
                reasons.add(s.name() + " lags " + (seen.lsn() - r.get().flushLsn()) + " bytes");
            } else if (r.get().flushLsn() > bestFlush) {
                best = Optional.of(s);
                bestFlush = r.get().flushLsn();
            }
        }
        if (best.isEmpty() || !reasons.isEmpty()) {
            // every standby of the target IDC must be ready: after the switch they are the new primary's local copies
            return blocked(g, p.name(), "not every standby in " + to + " is ready (" + String.join(", ", reasons) + ").");
        }
        long lag = Math.max(0, seen.lsn() - bestFlush);
        return new SwitchPlan.GroupMove(g.name(), p.name(), Lsn.format(seen.lsn()), best.get().name(), Lsn.format(bestFlush), lag,
                1000, null);
    }

    /** Checks the preflight again and starts the switch as a task. */
    public synchronized TaskView start(String clusterName, String to) {
        SwitchPlan plan = plan(clusterName, to);
        if (plan.blocked()) {
            throw ApiFailure.conflict("to", "The switch to " + to + " cannot start: " + plan.blockers());
        }
        ClusterRecord cluster = store.inTransaction(c -> clusters.find(c, clusterName)).orElseThrow();
        List<SwitchPlan.GroupMove> moving = plan.groups().stream().filter(m -> !m.oldPrimary().equals(m.newPrimary())).toList();
        List<String> steps = new ArrayList<>();
        moving.forEach(m -> steps.add("Move " + m.group() + ": " + m.oldPrimary() + " → " + m.newPrimary()));
        steps.add("Point the coordinator at the new primaries");
        store.inTransaction(c -> {
            events.record(c, "switch.started", cluster.name(), "Planned switch of " + cluster.name() + " from " + plan.from()
                    + " to " + to + ": " + moving.size() + " group(s) move.");
            return null;
        });
        return tasks.start("switch", cluster.name(), steps, progress -> {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            HandoverBarrier stops = new HandoverBarrier(moving.size());
            HandoverBarrier promotions = new HandoverBarrier(moving.size());
            for (int i = 0; i < moving.size(); i++) {
                int ordinal = i + 1;
                SwitchPlan.GroupMove m = moving.get(i);
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        progress.run(ordinal, () -> ha.exclusive(cluster.name(), m.group(), () -> switchGroup(cluster, m, stops, promotions)));
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }, tasks.pool()));
            }
            List<String> failed = new ArrayList<>();
            for (CompletableFuture<Void> f : all) {
                try {
                    f.join();
                } catch (CompletionException e) {
                    failed.add(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
                }
            }
            ha.primariesMoved(cluster.name());
            progress.run(moving.size() + 1, () -> {
                ha.awaitRouting(cluster.name());
                return "each shard's primary is tried first";
            });
            if (!failed.isEmpty()) {
                throw new IllegalStateException("The switch did not move every group: " + String.join(" ", failed));
            }
            store.inTransaction(c -> {
                // home from the DR city: the backup is the main city's other IDC, not the DR IDC
                clusters.setIdcs(c, cluster.name(), to, cluster.isDr(plan.from())
                        ? cluster.mainPartner(to, clusters.nodes(c, cluster.name())) : plan.from());
                events.record(c, "switch.done", cluster.name(), "Planned switch of " + cluster.name() + " done: every primary is in " + to + ".");
                return null;
            });
            return "Every primary of " + cluster.name() + " is in " + to + ".";
        });
    }

    /**
     * Moves one group. Every group stops its old primary at the same moment; old primaries are restarted as standbys
     * only once every group is promoted, so their start-up does not compete with a promotion still under way.
     */
    private String switchGroup(ClusterRecord cluster, SwitchPlan.GroupMove m, HandoverBarrier stops, HandoverBarrier promotions)
            throws Exception {
        HandoverBarrier.Party stop = stops.party();
        HandoverBarrier.Party restart = promotions.party();
        try {
            return switchGroup(cluster, m, stop, restart);
        } finally {
            stop.leave();
            restart.leave();
        }
    }

    private String switchGroup(ClusterRecord cluster, SwitchPlan.GroupMove m, HandoverBarrier.Party stop,
                               HandoverBarrier.Party restart) throws Exception {
        GroupHandover.Moved moved = handover.move(cluster, m, stop, restart);
        String old = moved.old().name();
        String streaming = ha.awaitObserved(old, NodeObservation::inRecovery) ? " now its standby"
                : " restarted as its standby (not yet seen answering: the HA loop watches it)";
        return moved.candidate().name() + " promoted, " + old + streaming + " (" + (System.currentTimeMillis() - moved.startedMillis()) + " ms)";
    }

    private static SwitchPlan.GroupMove blocked(GroupRecord g, String primary, String why) {
        return new SwitchPlan.GroupMove(g.name(), primary, "-", "-", "-", -1, -1, why);
    }

    private static String otherIdc(ClusterRecord c, String idc) {
        return idc.equals(c.primaryIdc()) ? c.backupIdc() : c.primaryIdc();
    }
}
