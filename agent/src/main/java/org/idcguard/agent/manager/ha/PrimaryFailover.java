package org.idcguard.agent.manager.ha;

import org.idcguard.agent.manager.cluster.TestPause;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.Transactions;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * Moves one group's primary role to a standby after the primary was lost (DESIGN "Automatic IDC takeover"), in this
 * order, each step recorded in the intent before the next begins:
 * <ol>
 *   <li>detach every answering standby from the old primary, so that it can gather no acknowledgement, whatever it
 *       does next; their positions are fixed from then on (refused, and rolled back, if a standby that may hold
 *       acknowledged commits cannot be detached);</li>
 *   <li>choose by those positions, fast-forward the candidate if another standby is ahead;</li>
 *   <li>set what its commits will wait for, promote it;</li>
 *   <li>point the other detached standbys at it (one that cannot be is reported and left out of the sync set);</li>
 *   <li>record the new roles and sync set.</li>
 * </ol>
 * Before the promotion a failure rolls back (the intent is abandoned; the loop reattaches detached standbys); from
 * the promotion on, only rolling forward is safe ({@link IntentRecovery}).
 */
final class PrimaryFailover {
    private static final long FAST_FORWARD_MILLIS = 5000;
    private final Transactions store;
    private final EventLog events;
    private final ExecutorService pool;
    private final Nodes nodes;
    private final HaClock clock;
    /** Which standbys the manager may promote in a cluster (CandidateChoice#mayLead): never the DR city's on its own. */
    private final java.util.function.Function<ClusterRecord, java.util.function.Predicate<NodeState>> mayLeadIn;
    private final FailoverIntents intents = new FailoverIntents();
    private final ClusterRepository clusters = new ClusterRepository();
    /** Intents whose pg_promote was sent: a failure from then on rolls forward (IntentRecovery), never back. */
    private final Set<Long> promotionSent = ConcurrentHashMap.newKeySet();

    /** With the leader rule as a parameter: the simulation reopens the DR window through it. */
    PrimaryFailover(EnginePorts ports, ExecutorService pool,
                    java.util.function.Function<ClusterRecord, java.util.function.Predicate<NodeState>> mayLeadIn) {
        Transactions store = ports.store();
        EventLog events = ports.events();
        Nodes nodes = ports.nodes();
        HaClock clock = ports.clock();
        this.mayLeadIn = mayLeadIn;
        this.store = store;
        this.events = events;
        this.nodes = nodes;
        this.pool = pool;
        this.clock = clock;
    }

    /** The group and whether the lost node is still its recorded primary, as the record is when the failover begins. */
    private record Fresh(java.util.Optional<GroupRecord> group, boolean lostStillPrimary) {
    }

    /**
     * One takeover in progress: what it was decided on and the sessions its steps share. Each standby is detached over a
     * session that the later steps reuse (the candidate's for its sync set and promotion, the others' for repointing):
     * when every group of a large cluster fails over at once, new logins on the surviving computers are what the
     * takeover waits for.
     */
    private record Takeover(ClusterRecord cluster, GroupRecord group, NodeState lost, List<NodeState> members,
                            List<NodeState> standbys, Set<String> mayHold, String preferIdc, long intent, String subject, Laps laps,
                            Map<String, Nodes.Session> sessions) {
    }

    /** What the promotion did, for the record that ends the takeover. */
    private record Promoted(NodeState chosen, CandidateChoice.Choice choice, Map<String, WalPosition> fixed, List<String> repointed,
                            List<String> syncSet, List<String> outside, long promotedAfter, long lsnAfter, boolean fellBack) {
    }

    /** What the failover left for the sync-set keeper: standbys its commits wait for that must still catch up. */
    record Outcome(NodeRecord newPrimary, Map<String, Long> pendingSince) {
    }

    /** Returns null when the record changed since the tick this was decided on. */
    Outcome run(ClusterRecord cluster, GroupRecord decidedOn, NodeState lost, List<NodeState> members, String preferIdc,
                String why) throws SQLException {
        Laps laps = new Laps();
        String subject = cluster.name() + "/" + decidedOn.name();
        // One read for both checks: while every group of a large cluster fails over at once, each metadata
        // transaction waits its turn on a saturated host.
        Fresh fresh = store.inTransaction(c -> new Fresh(
                clusters.groups(c, cluster.name()).stream().filter(g -> g.name().equals(decidedOn.name())).findFirst(),
                clusters.nodes(c, cluster.name()).stream().anyMatch(n -> n.name().equals(lost.name()) && n.isPrimary())));
        GroupRecord group = fresh.group().orElse(null);
        boolean stillLost = fresh.lostStillPrimary();
        if (group == null || !stillLost || group.syncGeneration() != decidedOn.syncGeneration()) {
            return null;
        }
        Set<String> mayHold = group.mayHoldAcknowledged();
        CandidateChoice.precheck(members, lost.name(), group.syncStandbys(), mayHold);
        List<NodeState> standbys = members.stream().filter(m -> !m.name().equals(lost.name()) && m.answering()
                && !m.node().needsRejoin() && m.observation().orElseThrow().inRecovery()).toList();
        long intent = store.inTransaction(c -> {
            long id = intents.insert(c, new FailoverIntents.Opening(IntentKind.FAILOVER, cluster.name(), group.name(), lost.name(), "-", why));
            events.record(c, "failover.started", subject, why + " Detaching " + names(standbys) + " from " + lost.name()
                    + " so it can gather no acknowledgement, then choosing by their positions.");
            return id;
        });
        TestPause.at("detaching", () -> events.record("test.paused", subject, "detaching"));
        try {
            laps.lap("recording the intent");
            return takeOver(new Takeover(cluster, group, lost, members, standbys, mayHold, preferIdc, intent, subject, laps,
                    new ConcurrentHashMap<>()));
        } catch (SQLException | RuntimeException e) {
            if (!promotionSent.contains(intent)) {
                store.inTransaction(c -> {
                    intents.end(c, intent, IntentStep.ABANDONED, "rolled back: " + e.getMessage());
                    events.record(c, "failover.rolled-back", subject, "The failover of " + group.name() + " stopped before any "
                            + "promotion (" + e.getMessage() + "): nothing was promoted; " + lost.name() + " stays the recorded "
                            + "primary, detached standbys are reattached and the group is judged afresh.");
                    return null;
                });
            }
            throw e;
        } finally {
            promotionSent.remove(intent);
        }
    }

    private Outcome takeOver(Takeover t) throws SQLException {
        try {
            return detachChoosePromote(t);
        } finally {
            t.sessions().values().forEach(nodes::giveBack);
        }
    }

    /** The takeover proper: detach, choose (fast-forwarding the candidate if another is ahead), promote. */
    private Outcome detachChoosePromote(Takeover t) throws SQLException {
        ClusterRecord cluster = t.cluster();
        List<NodeState> standbys = t.standbys();
        Laps laps = t.laps();
        long intent = t.intent();
        String subject = t.subject();
        Map<String, WalPosition> fixed = detachAll(t);
        laps.lap("detaching");
        List<String> notDetached = standbys.stream().map(NodeState::name).filter(n -> !fixed.containsKey(n)).toList();
        java.util.function.Predicate<NodeState> mayLead = mayLeadIn.apply(cluster);
        CandidateChoice.Choice choice = CandidateChoice.choose(t.members(), fixed, t.group().syncStandbys(), t.mayHold(), t.preferIdc(),
                mayLead);
        laps.lap("choosing");
        TestPause.at("detached", () -> events.record("test.paused", subject, "detached"));
        String detached = fixed.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " at " + e.getValue()).collect(Collectors.joining(", "))
                + (notDetached.isEmpty() ? "" : "; " + String.join(", ", notDetached) + " could not be detached and will be rewound")
                + ". Candidate " + choice.candidate().name() + " in " + choice.candidate().idc() + "; every acknowledged commit is "
                + "at or before " + choice.mustHold() + (choice.mustHold().equals(choice.target()) ? "" : ", the most any standby holds is "
                + choice.target()) + ".";
        NodeState chosen = choice.candidate();
        boolean fellBack = false;
        if (choice.fastForwardFrom().isPresent()) {
            // The candidate is recorded before it streams from another standby, so a restarted manager knows what moved.
            store.inTransaction(c -> {
                intents.changeCandidate(c, intent, choice.candidate().name());
                intents.step(c, intent, IntentStep.DETACHED);
                events.record(c, "failover.detached", subject, detached);
                return null;
            });
            Optional<NodeState> instead = fastForward(t, choice, mayLead);
            laps.lap("fast-forwarding");
            if (instead.isPresent()) {
                chosen = instead.get();
                fellBack = chosen != choice.fastForwardFrom().get();
            }
        }
        // Promoted in the source's stead after a fast-forward that did not finish (the fallback): the source holds WAL the
        // new primary lacks, and so may the candidate that streamed from it; neither can follow, both are rewound.
        Set<String> ahead = new TreeSet<>();
        if (fellBack) {
            ahead.add(choice.fastForwardFrom().get().name());
            ahead.add(choice.candidate().name());
            ahead.remove(chosen.name());
        }
        return promote(t, chosen, choice, fixed, choice.fastForwardFrom().isPresent() ? null : detached, ahead);
    }

    /**
     * Sets what the candidate's commits will wait for, promotes it, repoints the others. Without a fast-forward the
     * choice is recorded in the same transaction as the promoting step: one commit fewer on the takeover's path, and a
     * manager restarted after it rolls the promotion forward exactly as after a separate step.
     */
    private Outcome promote(Takeover t, NodeState chosen, CandidateChoice.Choice choice, Map<String, WalPosition> fixed,
                            String detachedUnrecorded, Set<String> ahead) throws SQLException {
        ClusterRecord cluster = t.cluster();
        GroupRecord group = t.group();
        List<NodeState> members = t.members();
        List<NodeState> standbys = t.standbys();
        Set<String> mayHold = t.mayHold();
        long intent = t.intent();
        String subject = t.subject();
        Laps laps = t.laps();
        Map<String, Nodes.Session> sessions = t.sessions();
        List<NodeState> following = standbys.stream().filter(s -> fixed.containsKey(s.name()) && !s.name().equals(chosen.name())
                && !ahead.contains(s.name())).toList();
        List<String> outside = following.stream().filter(f -> cluster.mayWaitFor(chosen.idc(), f.idc())).map(NodeState::name).sorted().toList();
        boolean strict = SyncSetRule.STRICT.equals(cluster.syncPolicy());
        List<String> syncSet = !outside.isEmpty() ? outside
                : strict ? members.stream().filter(m -> cluster.mayWaitFor(chosen.idc(), m.idc())).map(NodeState::name).sorted().toList()
                : following.stream().filter(f -> f.idc().equals(chosen.idc())).map(NodeState::name).sorted().toList();
        // One session to the candidate for the whole failover (the one it was detached over): logins cost on a loaded host.
        Nodes.Session candidateDb = sessions.get(chosen.name());
        if (candidateDb == null) {
            candidateDb = nodes.open(cluster, chosen.node()); // its session broke after the detach
            sessions.put(chosen.name(), candidateDb);
        }
        Set<String> during = new TreeSet<>(mayHold);
        during.addAll(syncSet);
        // The candidate's sync set is set while the promoting step is recorded: both must be done before the
        // promotion, and a sync set on a standby changes nothing until it is promoted (a rolled-back takeover
        // leaves it to the sync-set keeper).
        Nodes.Session sessionForSync = candidateDb;
        CompletableFuture<Void> syncSetOnCandidate = CompletableFuture.runAsync(() -> {
            try {
                // a test kills the manager here, with the promoting step recorded and the sync set not yet applied:
                // IntentRecovery must then set it before it promotes
                TestPause.hold("promoting-sync-unset");
                sessionForSync.setSyncStandbys(syncSet);
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, pool);
        try {
            store.inTransaction(c -> {
                if (detachedUnrecorded != null) {
                    intents.changeCandidate(c, intent, chosen.name());
                    events.record(c, "failover.detached", subject, detachedUnrecorded);
                }
                clusters.setConfiguredStandbys(c, cluster.name(), group.name(), during);
                intents.step(c, intent, IntentStep.PROMOTING);
                events.record(c, "failover.promoting", subject, "Promoting " + chosen.name() + "; its commits will wait for "
                        + describe(syncSet) + ".");
                return null;
            });
            TestPause.at("promoting-sync-unset", () -> events.record("test.paused", subject, "promoting-sync-unset"));
        } finally {
            awaitQuietly(syncSetOnCandidate); // the session is not shared: the ALTER ends before anything else uses it
        }
        try {
            syncSetOnCandidate.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof SQLException sql ? sql : new SQLException(e.getCause());
        }
        laps.lap("setting the sync set");
        TestPause.at("promoting", () -> events.record("test.paused", subject, "promoting"));
        promotionSent.add(intent);
        candidateDb.promote();
        long promotedAfter = laps.sinceStart();
        laps.lap("promoting");
        TestPause.at("promoted", () -> events.record("test.paused", subject, "promoted"));
        List<String> repointed = repointAll(t, following, chosen.node());
        laps.lap("repointing");
        long lsnAfter = candidateDb.position();
        return record(t, new Promoted(chosen, choice, fixed, repointed, syncSet, outside, promotedAfter, lsnAfter, !ahead.isEmpty()));
    }

    /** How long, once every sync-set member is detached, the others are still waited for. */
    static final long OTHERS_GRACE_MILLIS = 1000;

    /**
     * Detaches every standby in parallel; a standby that cannot be detached in time is left out of the result. The
     * sync-set members ({@code mayHold}) are waited for: the choice needs them all. The others cannot hold an
     * acknowledged commit, so they are waited for only {@link #OTHERS_GRACE_MILLIS} longer: one in a black-holed IDC
     * would otherwise hold the takeover for its network timeout (seconds), and one left out is treated as if its detach
     * failed (kept out of the sync set, rewound when it answers). A detach that ends after that gives its session up.
     */
    private Map<String, WalPosition> detachAll(Takeover t) {
        ClusterRecord cluster = t.cluster();
        Set<String> mayHold = t.mayHold();
        Map<String, Nodes.Session> sessions = t.sessions();
        Map<String, WalPosition> fixed = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        Map<String, CompletableFuture<Void>> detaches = new java.util.HashMap<>();
        for (NodeState s : t.standbys()) {
            detaches.put(s.name(), CompletableFuture.runAsync(() -> {
                Nodes.Session db = null;
                try {
                    db = nodes.lend(cluster, s.node(), 2);
                    WalPosition at;
                    try {
                        at = db.detach();
                    } catch (SQLException e) {
                        if (!db.broken(e)) {
                            throw e;
                        }
                        db.close();
                        db = nodes.fresh(cluster, s.node(), 2); // the kept session went stale (the node restarted): log in afresh
                        at = db.detach();
                    }
                    synchronized (over) {
                        if (over.get()) {
                            db.close(); // too late for this takeover: it is rewound like the rest
                            return;
                        }
                        fixed.put(s.name(), at);
                        sessions.put(s.name(), db);
                    }
                } catch (SQLException e) {
                    // reported by the caller: it is kept out of the sync set, and refused if it may hold acknowledged commits
                }
            }, pool));
        }
        CompletableFuture.allOf(detaches.entrySet().stream().filter(e -> mayHold.contains(e.getKey()))
                .map(Map.Entry::getValue).toArray(CompletableFuture[]::new)).join();
        try {
            CompletableFuture.allOf(detaches.values().toArray(CompletableFuture[]::new))
                    .get(OTHERS_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException othersStillTrying) {
            // left out below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // each detach reports through the map
        }
        synchronized (over) {
            over.set(true);
            return Map.copyOf(fixed);
        }
    }

    private Outcome record(Takeover t, Promoted p) {
        ClusterRecord cluster = t.cluster();
        GroupRecord group = t.group();
        NodeState lost = t.lost();
        NodeState chosen = p.chosen();
        Map<String, WalPosition> fixed = p.fixed();
        List<String> repointed = p.repointed();
        List<String> syncSet = p.syncSet();
        List<String> outside = p.outside();
        long intent = t.intent();
        String subject = t.subject();
        boolean strict = SyncSetRule.STRICT.equals(cluster.syncPolicy());
        // Standbys that hold everything the new primary has and follow it stay eligible; the rest must catch up first.
        // After a fallback the new primary's position is below the target and not known exactly: each catches up first.
        List<String> eligible = p.fellBack() ? List.of() : repointed.stream().filter(n -> syncSet.contains(n)
                && fixed.get(n).atLeast(p.choice().target())).sorted().toList();
        Map<String, Long> pending = new ConcurrentHashMap<>();
        syncSet.stream().filter(n -> !eligible.contains(n)).forEach(n -> pending.put(n, p.lsnAfter()));
        List<String> toRewind = t.members().stream().map(NodeState::name)
                .filter(n -> !n.equals(chosen.name()) && !n.equals(lost.name()) && !repointed.contains(n)).toList();
        boolean protectedAcrossIdcs = !outside.isEmpty() || strict;
        store.inTransaction(c -> {
            recordRoles(c, group, chosen.node(), lost.node(), toRewind, eligible);
            clusters.setConfiguredStandbys(c, cluster.name(), group.name(), syncSet);
            intents.end(c, intent, IntentStep.DONE, chosen.name() + " promoted");
            events.record(c, "failover.done", subject, chosen.name() + " in " + chosen.idc() + " is the primary of " + group.name()
                    + " (promoted " + p.promotedAfter() + " ms after the decision: " + t.laps() + "). " + lost.name()
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

    /**
     * Records the new primary; the former one and every standby that was not repointed must be rewound before they
     * stream. The old primary is demoted first: the store refuses a second primary in a group.
     */
    void recordRoles(java.sql.Connection c, GroupRecord group, NodeRecord newPrimary, NodeRecord oldPrimary, List<String> toRewind,
                     List<String> eligible) throws SQLException {
        clusters.setRole(c, oldPrimary.name(), "standby", true);
        for (String name : toRewind) {
            clusters.setRole(c, name, "standby", true);
        }
        clusters.setRole(c, newPrimary.name(), "primary", false);
        clusters.setSyncSet(c, group.cluster(), group.name(), eligible);
    }

    /**
     * Streams the candidate up to the target from the standby that holds it; returns empty when it got there. On a
     * timeout returns the standby promoted instead: the source if it may lead, else one that holds every acknowledged
     * commit ({@link CandidateChoice#afterFastForwardTimedOut}); without one the failover fails before any promotion,
     * which {@link #run} rolls back.
     */
    private Optional<NodeState> fastForward(Takeover t, CandidateChoice.Choice choice, java.util.function.Predicate<NodeState> mayLead)
            throws SQLException {
        ClusterRecord cluster = t.cluster();
        String subject = t.subject();
        long intent = t.intent();
        NodeState candidate = choice.candidate();
        NodeState source = choice.fastForwardFrom().get();
        WalPosition target = choice.target();
        events.record("failover.fast-forward", subject, candidate.name() + " is behind " + source.name() + " at " + target
                + ": streaming the difference from " + source.name() + " first.");
        nodes.repoint(cluster, candidate.node(), source.node());
        long deadline = clock.millis() + FAST_FORWARD_MILLIS;
        while (clock.millis() < deadline) {
            if (nodes.position(cluster, candidate.node()) >= target.lsn()) {
                return Optional.empty();
            }
            clock.sleep(50);
        }
        NodeState instead = CandidateChoice.afterFastForwardTimedOut(choice, mayLead);
        store.inTransaction(c -> {
            intents.changeCandidate(c, intent, instead.name());
            events.record(c, "failover.fast-forward", subject, candidate.name() + " did not reach " + target + " within "
                    + FAST_FORWARD_MILLIS / 1000 + " s; " + (instead == source ? "promoting " + source.name() + ", which holds it, instead."
                    : "promoting " + instead.name() + ", which holds every acknowledged commit (at or before " + choice.mustHold()
                    + "); " + source.name() + " holds only WAL nobody acknowledged, and will be rewound."));
            return null;
        });
        return Optional.of(instead);
    }

    /** Points the standbys at the new primary; returns those that now follow it. The others are reported. */
    private List<String> repointAll(Takeover t, List<NodeState> standbys, NodeRecord upstream) {
        ClusterRecord cluster = t.cluster();
        String subject = t.subject();
        Map<String, Nodes.Session> sessions = t.sessions();
        List<String> done = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture.allOf(standbys.stream().map(s -> CompletableFuture.runAsync(() -> {
            try {
                Nodes.Session held = sessions.get(s.name());
                if (held != null) {
                    held.repoint(cluster, upstream);
                } else {
                    nodes.repoint(cluster, s.node(), upstream);
                }
                done.add(s.name());
            } catch (SQLException e) {
                // detached, it acknowledges nobody; it is left out of the sync set and rewound
                events.record("failover.repoint-failed", subject, s.name() + " could not be pointed at " + upstream.name() + " ("
                        + e.getMessage() + "): it stays detached, out of the sync set, and will be rewound.");
            }
        }, pool)).toArray(CompletableFuture[]::new)).join();
        return List.copyOf(done);
    }

    private static void awaitQuietly(CompletableFuture<?> f) {
        try {
            f.join();
        } catch (RuntimeException reportedByTheCaller) {
            // the caller joins it again and throws what it failed with
        }
    }

    private static String names(List<NodeState> nodes) {
        return nodes.isEmpty() ? "no standby" : nodes.stream().map(NodeState::name).collect(Collectors.joining(", "));
    }

    private static String describe(List<String> standbys) {
        return standbys.isEmpty() ? "no standby" : "any one of " + String.join(", ", standbys);
    }
}
