package org.idcguard.agent.manager.ha;

import java.util.List;
import java.util.Optional;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.Transactions;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * Ends an intent that nobody is carrying out any more (the manager was killed, or an action failed after the
 * promotion was sent): gathers what {@link IntentRecoveryTable} decides on (the record, one look at the candidate) and
 * carries out the action its first matching row names. The rules, and why each is safe, are the table's rows; the
 * methods below say how each action is done.
 */
final class IntentRecovery {
    private final Transactions store;
    private final EventLog events;
    private final Agents agents;
    private final Nodes pg;
    private final PrimaryFailover failover;
    private final DrGroupPromotion dr;
    private final FailoverIntents intents = new FailoverIntents();
    private final ClusterRepository clusters = new ClusterRepository();

    /** Which row decides: the production table; the simulation reopens a closed window through it. */
    private final java.util.function.Function<IntentRecoveryTable.Facts, IntentRecoveryTable.Row> table;

    IntentRecovery(EnginePorts ports, PrimaryFailover failover, Agents agents,
                   java.util.function.Function<IntentRecoveryTable.Facts, IntentRecoveryTable.Row> table) {
        Transactions store = ports.store();
        EventLog events = ports.events();
        Nodes pg = ports.nodes();
        this.table = table;
        this.dr = new DrGroupPromotion(ports, agents);
        this.store = store;
        this.pg = pg;
        this.events = events;
        this.agents = agents;
        this.failover = failover;
    }

    /** The record as recovery reads it (a part not recorded any more is null), and what the table decides on. */
    private record Reading(ClusterRecord cluster, List<NodeRecord> nodes, GroupRecord group, NodeRecord candidate, NodeRecord old,
                           IntentRecoveryTable.Facts facts) {
    }

    /** The cluster's nodes and the intent's group, read in one transaction. */
    private record Members(List<NodeRecord> nodes, GroupRecord group) {
    }

    /**
     * Returns true when the intent ended; false when the group must go on waiting (its candidate is silent).
     * {@code candidateDown}: the loop's probes found the candidate down (K failed probes), not merely slow once.
     */
    boolean resolve(FailoverIntents.Intent decidedOn, boolean candidateDown) {
        // Decided on a tick's snapshot and carried out on a worker: the intent may have ended or moved on meanwhile (an
        // earlier attempt finished it), and acting on the old step would redo its actions (a switch's candidate stopped
        // and started again, a node started) for nothing.
        Optional<FailoverIntents.Intent> now = store.inTransaction(c -> intents.find(c, decidedOn.id()));
        if (now.isEmpty() || now.get().step().isFinal()) {
            return true;
        }
        if (now.get().step() != decidedOn.step() || !now.get().candidate().equals(decidedOn.candidate())) {
            return false; // judged afresh on the next tick
        }
        FailoverIntents.Intent intent = now.get();
        Reading r = read(intent, candidateDown);
        String subject = intent.cluster() + "/" + intent.group();
        IntentRecoveryTable.Row row = table.apply(r.facts());
        return switch (row.action()) {
            case ABANDON -> end(intent, IntentStep.ABANDONED, "failover.abandoned", subject, r.cluster() == null
                    ? "The cluster was deleted." : "Its nodes are no longer recorded.");
            case ROLL_BACK -> end(intent, IntentStep.ABANDONED, "failover.rolled-back", subject, "The manager stopped (step "
                    + intent.step() + ") before any promotion: nothing was promoted, " + intent.oldPrimary() + " stays the "
                    + "recorded primary, detached standbys are reattached and the group is judged afresh.");
            case END_DONE -> end(intent, IntentStep.DONE, "failover.resumed", subject, r.candidate().name()
                    + " was already recorded as primary.");
            case WAIT -> false;
            case RECORD_SILENT_CANDIDATE -> recordSilentCandidate(intent, r, subject);
            case ROLL_BACK_SWITCH -> rollBackSwitch(r.cluster(), intent, r.nodes(), r.candidate(), r.old(), subject);
            case SET_SYNC_SET_PROMOTE_RECORD, PROMOTE_HELD_RECORD, RECORD, CLEAR_TARGET_RECORD -> rollForward(intent, r, row.action(), subject);
        };
    }

    /** The facts, read in the order the table consults them: a node is asked only when the record leaves it open. */
    private Reading read(FailoverIntents.Intent intent, boolean candidateDown) {
        ClusterRecord cluster = store.inTransaction(c -> clusters.find(c, intent.cluster())).orElse(null);
        Members members = cluster == null ? new Members(List.of(), null) : store.inTransaction(c -> new Members(
                clusters.nodes(c, intent.cluster()), clusters.groups(c, intent.cluster()).stream()
                .filter(g -> g.name().equals(intent.group())).findFirst().orElse(null)));
        List<NodeRecord> nodes = members.nodes();
        NodeRecord candidate = nodes.stream().filter(n -> n.name().equals(intent.candidate())).findFirst().orElse(null);
        NodeRecord old = nodes.stream().filter(n -> n.name().equals(intent.oldPrimary())).findFirst().orElse(null);
        boolean recorded = candidate != null && old != null;
        boolean ask = cluster != null && intent.mayHavePromoted() && recorded && !candidate.isPrimary();
        Optional<Boolean> inRecovery = ask ? pg.inRecovery(cluster, candidate) : Optional.empty();
        IntentRecoveryTable.Candidate seen = inRecovery.isEmpty() ? IntentRecoveryTable.Candidate.SILENT
                : inRecovery.get() ? IntentRecoveryTable.Candidate.IN_RECOVERY : IntentRecoveryTable.Candidate.PROMOTED;
        Optional<Boolean> promotionRequested = ask && intent.kind() == IntentKind.SWITCH && seen == IntentRecoveryTable.Candidate.IN_RECOVERY
                ? pg.promotionRequested(cluster, candidate) : Optional.empty();
        boolean mayHold = ask && members.group().mayHoldAcknowledged().contains(candidate.name());
        return new Reading(cluster, nodes, members.group(), candidate, old, new IntentRecoveryTable.Facts(intent.kind(), intent.step(), cluster != null,
                recorded, recorded && candidate.isPrimary(), seen, candidateDown, mayHold, promotionRequested));
    }

    /**
     * Carries a promotion through (or records one that happened) and records the roles. A takeover's or switch's
     * candidate still in recovery gets its sync set first ({@link #setSyncSetBeforePromotion}); a backup-city one is
     * promoted at its held target, or has its target cleared if it was promoted before the kill.
     */
    private boolean rollForward(FailoverIntents.Intent intent, Reading r, IntentRecoveryTable.Action action, String subject) {
        ClusterRecord cluster = r.cluster();
        NodeRecord candidate = r.candidate();
        NodeRecord old = r.old();
        List<NodeRecord> nodes = r.nodes();
        GroupRecord group = r.group();
        Optional<List<String>> syncSet = Optional.empty();
        try {
            switch (action) {
                case SET_SYNC_SET_PROMOTE_RECORD -> {
                    syncSet = Optional.of(setSyncSetBeforePromotion(cluster, group, nodes, candidate));
                    pg.promote(cluster, candidate); // not promoted without its sync set: an error is tried again
                }
                // a consistent one stops at the restore point its recovery target names, as the promotion would have
                case PROMOTE_HELD_RECORD -> dr.promoteHeld(cluster, candidate);
                // promoted before the kill, its target maybe not yet cleared
                case CLEAR_TARGET_RECORD -> dr.clearTarget(cluster, candidate);
                case RECORD -> {
                    // promoted before the kill: only the record is missing
                }
                default -> throw new IllegalArgumentException(action + " does not roll forward");
            }
        } catch (java.sql.SQLException e) {
            return false;
        }
        boolean carriedThrough = action == IntentRecoveryTable.Action.SET_SYNC_SET_PROMOTE_RECORD
                || action == IntentRecoveryTable.Action.PROMOTE_HELD_RECORD;
        boolean dr = intent.kind() == IntentKind.DR;
        Optional<List<String>> waitsFor = syncSet;
        store.inTransaction(c -> {
            List<String> others = nodes.stream().filter(n -> n.group().equals(intent.group()) && !n.isPrimary()
                    && !n.name().equals(candidate.name())).map(NodeRecord::name).toList();
            // which standbys hold everything is unknown after a crash: each joins the sync set once it has caught up
            // a backup-city promotion leaves every main-city node holding WAL the new primary lacks: all are rewound
            List<String> toRewind = dr ? nodes.stream().filter(n -> n.group().equals(intent.group())
                    && !n.name().equals(candidate.name()) && !n.name().equals(old.name())).map(NodeRecord::name).toList() : List.of();
            failover.recordRoles(c, group, candidate, old, toRewind, List.of());
            if (waitsFor.isPresent()) {
                // applied and promoted: the new primary's commits wait for these alone (as after an uninterrupted takeover)
                clusters.setConfiguredStandbys(c, cluster.name(), group.name(), waitsFor.get());
            }
            intents.end(c, intent.id(), IntentStep.DONE, "rolled forward after a manager restart");
            events.record(c, "failover.resumed", subject, "The manager stopped after it began promoting " + candidate.name()
                    + (carriedThrough ? "; the promotion was carried through" : "; it had been promoted") + " and " + candidate.name()
                    + " is recorded as primary now. " + old.name() + " will be rewound; " + (others.isEmpty() ? "no other standby"
                    : String.join(", ", others)) + " rejoin the sync set once caught up.");
            return null;
        });
        if (dr) {
            // after the commit: groups roll forward in parallel, and each must see the others' new primaries
            BackupCityPromotion.finishIfEveryGroupMoved(store, events, cluster.name(), "");
        }
        return true;
    }

    /**
     * A candidate about to be promoted by a restarted manager waits, from its first commit, for the standbys the rule
     * allows outside its IDC ({@link ClusterRecord#mayWaitFor}), all of them, whether they answer or not: which were
     * detached and followed it is not known after a crash, and the sync-set keeper narrows the set by the group's policy
     * on its first tick once the group is recorded. Without this it could take commits waiting for nobody: a standby's
     * own synchronous_standby_names is whatever it was given (often nothing), and a takeover killed after recording the
     * promoting step may not have set it. Who may acknowledge is recorded before the candidate is told (the discipline of
     * {@link SyncSetKeeper}), so that a manager killed here again finds it in the configured set.
     */
    private List<String> setSyncSetBeforePromotion(ClusterRecord cluster, GroupRecord group, List<NodeRecord> nodes,
                                                   NodeRecord candidate) throws java.sql.SQLException {
        List<String> syncSet = nodes.stream().filter(n -> n.group().equals(group.name()) && !n.name().equals(candidate.name())
                && cluster.mayWaitFor(candidate.idc(), n.idc())).map(NodeRecord::name).sorted().toList();
        java.util.Set<String> during = new java.util.TreeSet<>(group.mayHoldAcknowledged());
        during.addAll(syncSet);
        store.inTransaction(c -> {
            clusters.setConfiguredStandbys(c, cluster.name(), group.name(), during);
            return null;
        });
        pg.setSyncStandbys(cluster, candidate, syncSet);
        return syncSet;
    }

    /**
     * A planned switch killed at its promoting step with the candidate still in recovery: the old primary may be running,
     * stopping or stopped. It is rolled back, never forward, because only that is safe without knowing more. The
     * candidate was never promoted, so nothing was written anywhere but by the old primary, which holds all of it: started
     * again, it is exactly the primary it was, and every standby (the candidate included) has a prefix of its WAL and
     * streams from it without a rewind. Rolling forward would be safe only if the candidate provably held all of the old
     * primary's WAL, up to the end of its shutdown checkpoint; with the old primary stopped, that position is in its
     * control file, which only its node agent could read, and a shutdown that was not clean (or not finished) leaves no
     * such proof at all. Rolling back needs no proof and costs one more start of the old primary.
     *
     * <p>A promotion already asked for (the promote file is there) is carried through instead by the caller. But the
     * file's absence does not prove the candidate is not promoting: the startup process removes it as it takes the
     * request up, and the node stays in recovery until its end-of-recovery replay is done (seconds, more behind a replay
     * conflict; a switch whose pg_promote timed out leaves exactly that). So before the old primary is started the
     * candidate is stopped and started again ({@link #stopCandidateFirst}): a start removes any promote file, and
     * standby.signal is removed only at the end of a promotion, so it comes back a standby with no promotion pending, or
     * a primary whose promotion finished, which the next look records instead (found by a reviewer of the simulation's
     * switch work).
     *
     * <p>Each step is safe to repeat: a manager killed during this finds the intent at the same step and does it again
     * (starting a running instance does nothing; repointing a standby at the same upstream changes nothing).
     */
    private boolean rollBackSwitch(ClusterRecord cluster, FailoverIntents.Intent intent, List<NodeRecord> nodes,
                                   NodeRecord candidate, NodeRecord old, String subject) {
        boolean wasServing = pg.inRecovery(cluster, old).map(r -> !r).orElse(false);
        if (!wasServing && !stopCandidateFirst(cluster, candidate)) {
            return false; // tried again: the candidate could not be stopped, or came back promoted (recorded next)
        }
        if (!wasServing) {
            try {
                // the node agent does one start or stop of an instance at a time: a stop still under way ends first
                agents.start(old);
            } catch (RuntimeException unreachable) {
                return false; // its computer or agent is down: the intent stays open and this is tried again
            }
            if (!pg.inRecovery(cluster, old).map(r -> !r).orElse(false)) {
                return false; // started but not (yet) answering as a primary: tried again
            }
        }
        pointBack(cluster, nodes, intent.group(), old);
        try {
            // the switch gave it the sync set it was to have as primary; a standby does nothing with it, and it is cleared
            // as the switch's own roll-back clears it
            pg.setSyncStandbys(cluster, candidate, List.of());
        } catch (java.sql.SQLException e) {
            // harmless, as said: the sync-set keeper sets it if it is ever promoted
        }
        boolean narrowed = forgetSwitchAdditions(cluster, intent.group(), old);
        end(intent, IntentStep.ABANDONED, "failover.abandoned", subject, "The planned switch stopped (the manager stopped, or "
                + "lost its answer from " + candidate.name() + ") before " + candidate.name() + " was promoted: the switch of "
                + intent.group() + " is abandoned; " + old.name()
                + (wasServing ? " is still the primary" : " had been stopped and was started again as the primary")
                + " and its standbys stream from it again." + (narrowed ? "" : " The standbys the switch named as possible "
                + "holders of acknowledged commits stay named until one it waits for has caught up."));
        return true;
    }

    /**
     * Stops the candidate and starts it again through its node agent; true only when it then answers in recovery with
     * no promotion asked of it, so that nothing it could still finish can stand beside the old primary. Not stopped by
     * SQL when its agent does not answer: a node whose promotion finished before that stop could have acknowledged
     * commits on a standby streaming from it, which a roll-back would lose; the intent waits instead.
     */
    private boolean stopCandidateFirst(ClusterRecord cluster, NodeRecord candidate) {
        try {
            agents.stop(candidate, "fast");
            agents.start(candidate);
        } catch (RuntimeException unreachable) {
            return false;
        }
        return pg.inRecovery(cluster, candidate).orElse(false) && pg.promotionRequested(cluster, candidate).equals(Optional.of(false));
    }

    /**
     * The switch recorded the candidate's future sync set as possible holders of acknowledged commits, the old primary
     * itself among them; left so, a later failover from the old primary would be refused (it cannot answer as its own
     * standby). They are forgotten by the sync-set keeper's rule: once a standby the old primary waits for has flushed
     * past the old primary's present position, every commit anyone acknowledged is on one it waits for, and those are
     * the configured set. Waited for a few seconds (the standbys were just pointed back); false when not seen by then,
     * and the record is left as it is (only stricter).
     */
    private boolean forgetSwitchAdditions(ClusterRecord cluster, String groupName, NodeRecord old) {
        Optional<List<String>> waited = pg.waitedForOnceCovered(cluster, old);
        waited.ifPresent(w -> store.inTransaction(c -> {
            clusters.setConfiguredStandbys(c, cluster.name(), groupName, w);
            return null;
        }));
        return waited.isPresent();
    }

    /**
     * The candidate went dark after its promotion was sent (an IDC going dark host by host): recorded as the primary it
     * may be, so that the next ticks fail it over by the usual rules rather than wait for it. Only when it could not
     * hold a commit the old primary acknowledged: then every such commit, and every one the candidate may have
     * acknowledged since, is on a standby in the group's recorded sync sets, which the failover detaches and chooses
     * from. The old primary is rewound when it returns, like any former primary.
     */
    private boolean recordSilentCandidate(FailoverIntents.Intent intent, Reading r, String subject) {
        GroupRecord group = r.group();
        NodeRecord candidate = r.candidate();
        NodeRecord old = r.old();
        store.inTransaction(c -> {
            // The standbys either primary may have waited for: the failover that follows detaches them all and promotes
            // the one furthest ahead, which holds every commit either of them acknowledged.
            failover.recordRoles(c, group, candidate, old, List.of(), List.copyOf(group.mayHoldAcknowledged()));
            intents.end(c, intent.id(), IntentStep.DONE, "candidate silent after its promotion was sent; recorded as primary");
            events.record(c, "failover.resumed", subject, candidate.name() + " stopped answering after its promotion was sent: "
                    + "whether it was promoted cannot be known, so it is recorded as the primary it may have become and is failed "
                    + "over by the usual rules. It was in no sync set of " + old.name() + ", so every acknowledged commit is on "
                    + "a standby those rules detach and choose from (" + String.join(", ", group.mayHoldAcknowledged()) + "). "
                    + old.name() + " will be rewound.");
            return null;
        });
        return true;
    }

    /** A switch rolled back: every standby of the group that answers streams from the old primary again. */
    private void pointBack(ClusterRecord cluster, List<NodeRecord> nodes, String group, NodeRecord old) {
        for (NodeRecord n : nodes) {
            if (n.group().equals(group) && !n.name().equals(old.name()) && !n.needsRejoin()) {
                try {
                    pg.repoint(cluster, n, old);
                } catch (java.sql.SQLException unreachable) {
                    // the loop finds it astray and rejoins it
                }
            }
        }
    }

    private boolean end(FailoverIntents.Intent intent, IntentStep step, String kind, String subject, String sentence) {
        store.inTransaction(c -> {
            intents.end(c, intent.id(), step, sentence);
            events.record(c, kind, subject, sentence);
            return null;
        });
        return true;
    }
}
