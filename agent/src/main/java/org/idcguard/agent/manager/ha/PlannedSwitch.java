package org.idcguard.agent.manager.ha;

import org.idcguard.agent.manager.cluster.TestPause;
import java.sql.SQLException;
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
import org.idcguard.agent.manager.cluster.PgSession;
import org.idcguard.agent.manager.task.TaskRunner;
import org.idcguard.model.FollowRequest;
import org.idcguard.model.Names;
import org.idcguard.model.SwitchPlan;
import org.idcguard.model.TaskView;

/**
 * The planned IDC switch (DESIGN "Planned IDC switch"): preflight and plan from what the HA loop last observed,
 * then, per group in parallel and with the HA loop kept off the group: point the other standbys at the candidate,
 * stop the old primary with a fast shutdown (its last WAL goes to the streaming standbys), check the candidate has
 * all of it, promote it, restart the old primary as its standby (no rewind: it stopped cleanly and the candidate
 * has all its WAL). A step failing before the promotion puts the old primary back; after it, the switch goes on.
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
    private final FailoverIntents intents = new FailoverIntents();

    public PlannedSwitch(MetadataStore store, EventLog events, NodeAgentClient agents, TaskRunner tasks, HaLoop ha) {
        this.store = store;
        this.events = events;
        this.agents = agents;
        this.tasks = tasks;
        this.ha = ha;
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
            moves.add(move(g, nodes.stream().filter(n -> n.group().equals(g.name())).toList(), to));
        }
        String from = nodes.stream().filter(NodeRecord::isPrimary).map(NodeRecord::idc).filter(i -> !i.equals(to)).findFirst()
                .orElse(otherIdc(cluster, to));
        return new SwitchPlan(cluster.name(), from, to, moves);
    }

    private SwitchPlan.GroupMove move(GroupRecord g, List<NodeRecord> members, String to) {
        Optional<NodeRecord> primary = members.stream().filter(NodeRecord::isPrimary).findFirst();
        if (primary.isEmpty()) {
            return blocked(g, "-", "it has no recorded primary.");
        }
        NodeRecord p = primary.get();
        Optional<NodeState> ps = ha.latest(p.name());
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
            Optional<NodeState> st = ha.latest(s.name());
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
        String subject = cluster.name() + "/" + m.group();
        List<NodeRecord> members = store.inTransaction(c -> clusters.nodes(c, cluster.name())).stream()
                .filter(n -> n.group().equals(m.group())).toList();
        NodeRecord old = byName(members, m.oldPrimary());
        NodeRecord candidate = byName(members, m.newPrimary());
        if (!old.isPrimary()) {
            throw new IllegalStateException(m.group() + ": " + old.name() + " is no longer its primary.");
        }
        GroupRecord group = store.inTransaction(c -> clusters.groups(c, cluster.name())).stream()
                .filter(g -> g.name().equals(m.group())).findFirst().orElseThrow();
        List<NodeRecord> others = members.stream().filter(n -> n != old && n != candidate).toList();
        long started = System.currentTimeMillis();
        long intent = store.inTransaction(c -> intents.insert(c, new FailoverIntents.Opening(IntentKind.SWITCH, cluster.name(),
                m.group(), old.name(), candidate.name(), "Planned switch: " + old.name() + " hands over to " + candidate.name() + ".")));
        TestPause.at("switch-chosen", () -> events.record("test.paused", subject, "switch-chosen"));
        long beforeStop = NodeSql.position(cluster, old);
        List<String> waitFor = members.stream().filter(n -> cluster.mayWaitFor(candidate.idc(), n.idc())).map(NodeRecord::name).sorted().toList();
        boolean promoted = false;
        boolean stopMayHaveBeenSent = false;
        try {
            java.util.Set<String> during = new java.util.TreeSet<>(group.mayHoldAcknowledged());
            during.addAll(waitFor);
            store.inTransaction(c -> {
                clusters.setConfiguredStandbys(c, cluster.name(), m.group(), during);
                return null;
            });
            NodeSql.setSyncStandbys(cluster, candidate, waitFor);
            for (NodeRecord o : others) {
                NodeSql.repoint(cluster, o, candidate);
            }
            long pause;
            long received;
            String phases;
            // Connections are opened before the pause, so no authentication happens while writes wait.
            try (java.sql.Connection candidateDb = PgSession.admin(cluster, candidate, "postgres");
                 OtherStandbys otherDbs = new OtherStandbys(cluster, others)) {
                // A fresh WAL segment that every standby already has leaves them little to fetch again on the new
                // timeline; a checkpoint now, while writes go on, leaves the shutdown checkpoint little to flush.
                awaitSegment(candidateDb, otherDbs, NodeSql.switchSegment(cluster, old));
                NodeSql.checkpoint(cluster, old);
                store.inTransaction(c -> {
                    intents.step(c, intent, IntentStep.PROMOTING);
                    return null;
                });
                stopMayHaveBeenSent = true;
                TestPause.at("switch-promoting", () -> events.record("test.paused", subject, "switch-promoting"));
                stop.ready();
                long stopAt = System.currentTimeMillis();
                agents.stopInstance(old.agentEndpoint(), old.name(), "fast");
                long stoppedAt = System.currentTimeMillis();
                TestPause.at("switch-stopped", () -> events.record("test.paused", subject, "switch-stopped"));
                received = awaitReceived(candidateDb, candidate, otherDbs, beforeStop);
                long receivedAt = System.currentTimeMillis();
                NodeSql.promote(candidateDb, candidate);
                promoted = true;
                TestPause.at("switch-promoted", () -> events.record("test.paused", subject, "switch-promoted"));
                pause = System.currentTimeMillis() - stopAt;
                phases = "stop " + (stoppedAt - stopAt) + " ms, last WAL checked " + (receivedAt - stoppedAt) + " ms, promotion "
                        + (System.currentTimeMillis() - receivedAt) + " ms";
            }
            restart.ready();
            agents.follow(old.agentEndpoint(), old.name(), new FollowRequest(candidate.address(), candidate.port(), false));
            store.inTransaction(c -> {
                clusters.setRole(c, old.name(), "standby", false); // first: the store refuses two primaries in a group
                clusters.setRole(c, candidate.name(), "primary", false);
                clusters.setConfiguredStandbys(c, cluster.name(), m.group(), waitFor);
                // the old primary stopped cleanly and the new one has all its WAL: it holds every acknowledged commit
                clusters.setSyncSet(c, cluster.name(), m.group(), List.of(old.name()));
                intents.step(c, intent, IntentStep.DONE);
                events.record(c, "switch.group", subject, candidate.name() + " in " + candidate.idc() + " is the primary of "
                        + m.group() + " (writes paused about " + pause + " ms: " + phases + "; received up to " + Lsn.format(received) + "). "
                        + old.name() + " streams from it as a standby.");
                return null;
            });
            String streaming = ha.awaitObserved(old.name(), NodeObservation::inRecovery) ? " now its standby" : " restarted as its standby (not yet seen answering: the HA loop watches it)";
            return candidate.name() + " promoted, " + old.name() + streaming + " (" + (System.currentTimeMillis() - started) + " ms)";
        } catch (Exception e) {
            if (promoted) {
                throw e; // the new primary takes writes: the HA loop rejoins the old one
            }
            rollBack(new Handover(cluster, group, old, candidate, others, intent), stopMayHaveBeenSent, e);
            throw new IllegalStateException(m.group() + " stays on " + old.name() + ": " + e.getMessage(), e);
        }
    }

    /** Waits a moment for the candidate and the others to reach the fresh segment; if they are slow, the pause is longer, no more. */
    private static void awaitSegment(java.sql.Connection candidateDb, OtherStandbys others, long segmentStart) throws SQLException {
        long deadline = System.currentTimeMillis() + 3000;
        while (System.currentTimeMillis() < deadline
                && Math.min(NodeSql.position(candidateDb), others.leastAdvanced(segmentStart)) < segmentStart) {
            sleep(10);
        }
    }

    /** The candidate must have every byte the old primary wrote, up to its shutdown checkpoint. */
    private long awaitReceived(java.sql.Connection candidateDb, NodeRecord candidate, OtherStandbys others, long beforeStop)
            throws SQLException {
        long deadline = System.currentTimeMillis() + 5000;
        while (true) {
            long mine = NodeSql.position(candidateDb);
            long most = Math.max(mine, others.mostAdvanced());
            if (mine > beforeStop && mine >= most) {
                return mine;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(candidate.name() + " did not receive the old primary's last WAL (it is at "
                        + Lsn.format(mine) + ").");
            }
            sleep(20);
        }
    }

    /** Connections to the group's other standbys, to compare how far each received; one that cannot be asked is skipped. */
    private static final class OtherStandbys implements AutoCloseable {
        private final List<java.sql.Connection> connections = new ArrayList<>();

        OtherStandbys(ClusterRecord cluster, List<NodeRecord> standbys) {
            for (NodeRecord s : standbys) {
                try {
                    connections.add(PgSession.admin(cluster, s, "postgres"));
                } catch (SQLException unreachable) {
                    // a standby that cannot be asked holds nothing the candidate needs to wait for
                }
            }
        }

        /** The least position among them, or the fallback when none can be asked. */
        long leastAdvanced(long fallback) {
            long least = Long.MAX_VALUE;
            for (java.sql.Connection c : connections) {
                try {
                    least = Math.min(least, NodeSql.position(c));
                } catch (SQLException gone) {
                    // as below
                }
            }
            return least == Long.MAX_VALUE ? fallback : least;
        }

        long mostAdvanced() {
            long most = 0;
            for (java.sql.Connection c : connections) {
                try {
                    most = Math.max(most, NodeSql.position(c));
                } catch (SQLException gone) {
                    // as above
                }
            }
            return most;
        }

        @Override
        public void close() {
            for (java.sql.Connection c : connections) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing a broken connection
                }
            }
        }
    }

    /** One group's handover as its roll-back needs it: the old primary, the candidate, the others, the intent. */
    private record Handover(ClusterRecord cluster, GroupRecord group, NodeRecord old, NodeRecord candidate, List<NodeRecord> others,
                            long intent) {
    }

    private void rollBack(Handover h, boolean stopMayHaveBeenSent, Exception why) {
        ClusterRecord cluster = h.cluster();
        GroupRecord group = h.group();
        NodeRecord old = h.old();
        NodeRecord candidate = h.candidate();
        long intent = h.intent();
        boolean oldStarted = false;
        try {
            agents.startInstance(old.agentEndpoint(), old.name());
            oldStarted = true;
            for (NodeRecord o : h.others()) {
                NodeSql.repoint(cluster, o, old);
            }
            NodeSql.repoint(cluster, candidate, old);
            NodeSql.setSyncStandbys(cluster, candidate, List.of());
        } catch (RuntimeException | SQLException e) {
            // the HA loop finds any standby left pointing elsewhere and rejoins it
        }
        if (!oldStarted && stopMayHaveBeenSent) {
            // The old primary may be stopped and could not be started. Abandoned, the group would have no primary: no
            // failover can be decided (the switch's configured set names the old primary, which must then answer as a
            // standby) and a stopped primary is started only when nothing of its group answers. So the intent stays
            // at its step, and the HA loop's intent recovery starts the old primary and points the standbys back.
            events.record("switch.rollback-pending", cluster.name() + "/" + group.name(), "The switch of " + group.name()
                    + " failed before promotion (" + why.getMessage() + ") and " + old.name() + " could not be started "
                    + "again: the HA loop retries until it is the primary again.");
            return;
        }
        store.inTransaction(c -> {
            intents.step(c, intent, IntentStep.ABANDONED);
            events.record(c, "switch.rolled-back", cluster.name() + "/" + group.name(), "The switch of " + group.name()
                    + " failed before promotion (" + why.getMessage() + "): " + old.name() + " is its primary again.");
            return null;
        });
    }


    private static NodeRecord byName(List<NodeRecord> nodes, String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    private static SwitchPlan.GroupMove blocked(GroupRecord g, String primary, String why) {
        return new SwitchPlan.GroupMove(g.name(), primary, "-", "-", "-", -1, -1, why);
    }

    private static String otherIdc(ClusterRecord c, String idc) {
        return idc.equals(c.primaryIdc()) ? c.backupIdc() : c.primaryIdc();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
