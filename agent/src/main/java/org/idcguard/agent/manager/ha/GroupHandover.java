package org.idcguard.agent.manager.ha;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.Transactions;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.TestPause;
import org.idcguard.model.SwitchPlan;

/**
 * One group's move in a planned switch ({@link PlannedSwitch} plans it and runs the groups together): point the other
 * standbys at the candidate, stop the old primary with a fast shutdown (its last WAL goes to the streaming standbys),
 * check the candidate has all of it, promote it, restart the old primary as its standby (no rewind: it stopped cleanly
 * and the candidate has all its WAL). Each step is recorded in the intent before it acts: a failure before pg_promote
 * is sent puts the old primary back (or leaves the intent to {@link IntentRecovery} when it cannot be started); a
 * failure while it is sent leaves the intent to recovery, which asks the candidate what became of it; after the
 * promotion, the switch goes on. Everything it does to the world goes through the engine's ports, so the deterministic
 * simulation runs it as it runs the takeover.
 */
final class GroupHandover {
    private final Transactions store;
    private final EventLog events;
    private final Nodes pg;
    private final Agents agents;
    private final HaClock clock;
    private final ClusterRepository clusters = new ClusterRepository();
    private final FailoverIntents intents = new FailoverIntents();

    GroupHandover(EnginePorts ports, Agents agents) {
        this.store = ports.store();
        this.events = ports.events();
        this.pg = ports.nodes();
        this.clock = ports.clock();
        this.agents = agents;
    }

    /** What a finished move did: the new primary, the old one (now its standby), when the move began. */
    record Moved(NodeRecord candidate, NodeRecord old, long startedMillis) {
    }

    /** One group's handover as its roll-back needs it: the old primary, the candidate, the others, the intent. */
    private record Handover(ClusterRecord cluster, GroupRecord group, NodeRecord old, NodeRecord candidate, List<NodeRecord> others,
                            long intent) {
    }

    /**
     * Moves the group. {@code stop} is passed once this group is ready to pause writes (every group of the switch
     * stops its old primary at once); {@code restart} once it promoted (old primaries restart after every promotion).
     */
    Moved move(ClusterRecord cluster, SwitchPlan.GroupMove m, HandoverBarrier.Party stop, HandoverBarrier.Party restart)
            throws Exception {
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
        long started = clock.millis();
        long intent = store.inTransaction(c -> intents.insert(c, new FailoverIntents.Opening(IntentKind.SWITCH, cluster.name(),
                m.group(), old.name(), candidate.name(), "Planned switch: " + old.name() + " hands over to " + candidate.name() + ".")));
        TestPause.at("switch-chosen", () -> events.record("test.paused", subject, "switch-chosen"));
        long beforeStop = pg.position(cluster, old);
        List<String> waitFor = members.stream().filter(n -> cluster.mayWaitFor(candidate.idc(), n.idc())).map(NodeRecord::name).sorted().toList();
        boolean promoted = false;
        boolean stopMayHaveBeenSent = false;
        boolean promoteSent = false;
        try {
            Set<String> during = new TreeSet<>(group.mayHoldAcknowledged());
            during.addAll(waitFor);
            store.inTransaction(c -> {
                clusters.setConfiguredStandbys(c, cluster.name(), m.group(), during);
                return null;
            });
            pg.setSyncStandbys(cluster, candidate, waitFor);
            for (NodeRecord o : others) {
                pg.repoint(cluster, o, candidate);
            }
            long pause;
            long received;
            String phases;
            // Sessions are opened before the pause, so no authentication happens while writes wait.
            Nodes.Session candidateSession = pg.open(cluster, candidate);
            try (Sessions s = new Sessions(candidateSession, open(cluster, others, candidateSession))) {
                // A fresh WAL segment that every standby already has leaves them little to fetch again on the new
                // timeline; a checkpoint now, while writes go on, leaves the shutdown checkpoint little to flush.
                awaitSegment(s, pg.switchSegment(cluster, old));
                pg.checkpoint(cluster, old);
                store.inTransaction(c -> {
                    intents.step(c, intent, IntentStep.PROMOTING);
                    return null;
                });
                stopMayHaveBeenSent = true;
                TestPause.at("switch-promoting", () -> events.record("test.paused", subject, "switch-promoting"));
                stop.ready();
                long stopAt = clock.millis();
                agents.stop(old, "fast");
                long stoppedAt = clock.millis();
                TestPause.at("switch-stopped", () -> events.record("test.paused", subject, "switch-stopped"));
                received = awaitReceived(s, beforeStop);
                long receivedAt = clock.millis();
                promoteSent = true;
                s.candidate().promote();
                promoted = true;
                TestPause.at("switch-promoted", () -> events.record("test.paused", subject, "switch-promoted"));
                pause = clock.millis() - stopAt;
                phases = "stop " + (stoppedAt - stopAt) + " ms, last WAL checked " + (receivedAt - stoppedAt) + " ms, promotion "
                        + (clock.millis() - receivedAt) + " ms";
            }
            restart.ready();
            agents.follow(old, candidate);
            long paused = pause;
            String phased = phases;
            long upTo = received;
            store.inTransaction(c -> {
                clusters.setRole(c, old.name(), "standby", false); // first: the store refuses two primaries in a group
                clusters.setRole(c, candidate.name(), "primary", false);
                clusters.setConfiguredStandbys(c, cluster.name(), m.group(), waitFor);
                // the old primary stopped cleanly and the new one has all its WAL: it holds every acknowledged commit
                clusters.setSyncSet(c, cluster.name(), m.group(), List.of(old.name()));
                intents.step(c, intent, IntentStep.DONE);
                events.record(c, "switch.group", subject, candidate.name() + " in " + candidate.idc() + " is the primary of "
                        + m.group() + " (writes paused about " + paused + " ms: " + phased + "; received up to " + Lsn.format(upTo) + "). "
                        + old.name() + " streams from it as a standby.");
                return null;
            });
            return new Moved(candidate, old, started);
        } catch (Exception e) {
            if (promoted) {
                throw e; // the new primary takes writes: the HA loop rejoins the old one
            }
            if (promoteSent) {
                // pg_promote may have reached the candidate though its answer did not come back: started again, the old
                // primary could be a second writer, and commits the candidate acknowledged on a standby streaming from
                // it would be rewound away. The intent stays at its promoting step; intent recovery asks the candidate
                // (promoted, promotion requested, or neither) and rolls forward or back by its table.
                events.record("switch.promotion-unknown", subject, "The switch of " + m.group() + " lost its answer from "
                        + candidate.name() + " while promoting it (" + e.getMessage() + "): whether it was promoted is not "
                        + "known, so " + old.name() + " is not started again; the HA loop finishes or rolls back the switch "
                        + "once " + candidate.name() + " answers.");
                throw new IllegalStateException(m.group() + ": whether " + candidate.name() + " was promoted is not known ("
                        + e.getMessage() + "); the HA loop finishes or rolls back the switch.", e);
            }
            rollBack(new Handover(cluster, group, old, candidate, others, intent), stopMayHaveBeenSent, e);
            throw new IllegalStateException(m.group() + " stays on " + old.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sessions to the other standbys, to compare how far each received; one that cannot be opened is skipped. On an
     * unexpected failure every session opened so far, the candidate's too, is closed.
     */
    private List<Nodes.Session> open(ClusterRecord cluster, List<NodeRecord> standbys, Nodes.Session candidate) {
        List<Nodes.Session> open = new ArrayList<>();
        try {
            for (NodeRecord s : standbys) {
                try {
                    open.add(pg.open(cluster, s));
                } catch (SQLException unreachable) {
                    // a standby that cannot be asked holds nothing the candidate needs to wait for
                }
            }
            return open;
        } catch (RuntimeException | Error e) {
            candidate.close();
            open.forEach(Nodes.Session::close);
            throw e;
        }
    }

    /** The candidate's session and the other standbys', held across the pause. */
    private record Sessions(Nodes.Session candidate, List<Nodes.Session> others) implements AutoCloseable {
        /** The least position among the others, or the fallback when none can be asked. */
        long leastAdvanced(long fallback) {
            long least = Long.MAX_VALUE;
            for (Nodes.Session o : others) {
                try {
                    least = Math.min(least, o.position());
                } catch (SQLException gone) {
                    // as below
                }
            }
            return least == Long.MAX_VALUE ? fallback : least;
        }

        long mostAdvanced() {
            long most = 0;
            for (Nodes.Session o : others) {
                try {
                    most = Math.max(most, o.position());
                } catch (SQLException gone) {
                    // as above
                }
            }
            return most;
        }

        @Override
        public void close() {
            candidate.close();
            others.forEach(Nodes.Session::close);
        }
    }

    /** Waits a moment for the candidate and the others to reach the fresh segment; if they are slow, the pause is longer, no more. */
    private void awaitSegment(Sessions s, long segmentStart) throws SQLException {
        long deadline = clock.millis() + 3000;
        while (clock.millis() < deadline && Math.min(s.candidate().position(), s.leastAdvanced(segmentStart)) < segmentStart) {
            clock.sleep(10);
        }
    }

    /** The candidate must have every byte the old primary wrote, up to its shutdown checkpoint. */
    private long awaitReceived(Sessions s, long beforeStop) throws SQLException {
        long deadline = clock.millis() + 5000;
        while (true) {
            long mine = s.candidate().position();
            long most = Math.max(mine, s.mostAdvanced());
            if (mine > beforeStop && mine >= most) {
                return mine;
            }
            if (clock.millis() > deadline) {
                throw new IllegalStateException(s.candidate().node() + " did not receive the old primary's last WAL (it is at "
                        + Lsn.format(mine) + ").");
            }
            clock.sleep(20);
        }
    }

    /**
     * Puts the old primary back; called only when pg_promote was never sent. The standbys the switch added to the
     * configured set (the candidate's future sync set, the old primary among them) are forgotten at once: the candidate acknowledged
     * nothing, and the old primary's commits waited for its own sync set all along, so the set recorded before the
     * switch still names every standby that may hold one. Kept, they would refuse every later failover of the group,
     * the old primary being named as a standby that may hold acknowledged commits (found by the simulation, seed 129:
     * a switch that failed as the primary IDC went dark left the group without a primary until a DBA edited the record).
     */
    private void rollBack(Handover h, boolean stopMayHaveBeenSent, Exception why) {
        ClusterRecord cluster = h.cluster();
        GroupRecord group = h.group();
        NodeRecord old = h.old();
        NodeRecord candidate = h.candidate();
        long intent = h.intent();
        boolean oldStarted = false;
        try {
            agents.start(old);
            oldStarted = true;
            for (NodeRecord o : h.others()) {
                pg.repoint(cluster, o, old);
            }
            pg.repoint(cluster, candidate, old);
            pg.setSyncStandbys(cluster, candidate, List.of());
        } catch (RuntimeException | SQLException e) {
            // the HA loop finds any standby left pointing elsewhere and rejoins it
        }
        store.inTransaction(c -> {
            clusters.setConfiguredStandbys(c, cluster.name(), group.name(), group.configuredStandbys());
            return null;
        });
        if (!oldStarted && stopMayHaveBeenSent) {
            // The old primary may be stopped and could not be started. The intent stays at its step, and the HA loop's
            // intent recovery starts the old primary and points the standbys back once its node agent answers.
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
}
