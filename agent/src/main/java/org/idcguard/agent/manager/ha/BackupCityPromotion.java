package org.idcguard.agent.manager.ha;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.IdcRepository;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.task.TaskRunner;
import org.idcguard.model.DrPlan;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.model.DrStatus;
import org.idcguard.model.Idc;
import org.idcguard.model.Names;
import org.idcguard.model.RoleLease;
import org.idcguard.model.TaskView;

/**
 * The DBA's promotion of the backup city (DESIGN "Cross-city DR"), never the manager's own: the preflight shows per
 * group the DR standby that would be promoted and what it lacks of the main city's last known position; the promotion
 * fences what still answers of the main city, promotes one DR standby per group (the one that received most), marks
 * every main-city node to be rewound, points the coordinator at the new primaries and records, per group, the position
 * promoted against the last one known from the old primary: the actual loss, shown afterwards.
 */
public final class BackupCityPromotion {
    /** A node agent's last lease runs out within this (a failure window and then some): waited out, not refused. */
    private static final long SHORT_LEASE_WAIT_MILLIS = 5_000;
    private static final long FENCE_WAIT_MILLIS = 5000;
    /** How long the start waits for a main-city node agent's word on its primary; one slower is taken not to answer. */
    private static final long AGENT_WAIT_MILLIS = 1500;
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final TaskRunner tasks;
    private final HaLoop ha;
    private final ClusterRepository clusters = new ClusterRepository();
    private final IdcRepository idcs = new IdcRepository();
    private final DrGroupPromotion drGroups;

    public BackupCityPromotion(MetadataStore store, EventLog events, NodeAgentClient agents, TaskRunner tasks, HaLoop ha) {
        this.store = store;
        this.events = events;
        this.agents = agents;
        this.tasks = tasks;
        this.ha = ha;
        this.drGroups = new DrGroupPromotion(new EnginePorts(store, events, new SqlNodes(new ActionSessions()), HaClock.SYSTEM),
                new HttpAgents(agents));
    }

    /** The DR city of a cluster now, with the last promotions' actual losses. */
    public DrStatus status(String clusterName) {
        ClusterRecord cluster = drCluster(clusterName);
        String city = store.inTransaction(c -> idcs.find(c, cluster.drIdc())).map(Idc::city).orElse("-");
        Optional<DrWatch.Snapshot> seen = ha.drSnapshot(cluster.name());
        java.util.Map<String, Long> held = new java.util.HashMap<>();
        seen.ifPresent(s -> s.groups().stream().filter(g -> !"-".equals(g.receivedLsn()))
                .forEach(g -> held.put(g.group(), Lsn.parse(g.receivedLsn()))));
        Optional<RestorePoints.Point> point = held.isEmpty() ? Optional.empty()
                : RestorePoints.newestHeld(ha.restorePoints(cluster.name()), held);
        return new DrStatus(cluster.name(), cluster.drIdc(), city, seen.map(DrWatch.Snapshot::mainCityLost).orElse(false),
                cluster.runsInDrCity(), seen.map(DrWatch.Snapshot::lossBytes).orElse(-1L), seen.map(DrWatch.Snapshot::lossMillis).orElse(-1L),
                seen.map(DrWatch.Snapshot::groups).orElse(List.of()), promotions(cluster.name()),
                point.map(RestorePoints.Point::name).orElse(null), point.map(RestorePoints.Point::createdMillis).orElse(0L));
    }

    /** The preflight: what each group would lose if the backup city were promoted now, and what stands in the way. */
    public DrPlan plan(String clusterName, String to, String mode) {
        ClusterRecord cluster = drCluster(clusterName);
        if (to == null || to.isBlank()) {
            throw new ApiFailure(400, "Choose the DR IDC to promote.", "to");
        }
        if (!cluster.isDr(to)) {
            throw new ApiFailure(400, "IDC " + Names.shorten(to) + " is not the DR IDC of " + cluster.name() + " (" + cluster.drIdc() + ").", "to");
        }
        String m = mode == null || mode.isBlank() ? DrPromoteRequest.LATEST : mode;
        if (!DrPromoteRequest.LATEST.equals(m) && !DrPromoteRequest.CONSISTENT.equals(m)) {
            throw new ApiFailure(400, "The promotion mode is latest (every group at the newest point it received) or consistent "
                    + "(every group at the newest restore point they all received).", "mode");
        }
        if (!ClusterRecord.RUNNING.equals(cluster.status())) {
            throw ApiFailure.conflict(null, "Cluster " + cluster.name() + " is " + cluster.status() + ", not running.");
        }
        if (cluster.runsInDrCity()) {
            throw ApiFailure.conflict("to", "The primaries of " + cluster.name() + " already stand in " + to + ".");
        }
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, cluster.name()));
        List<GroupRecord> groups = store.inTransaction(c -> clusters.groups(c, cluster.name()));
        Optional<DrWatch.Snapshot> seen = ha.drSnapshot(cluster.name());
        List<DrPlan.Move> moves = new ArrayList<>();
        List<String> blockers = new ArrayList<>();
        List<String> answering = new ArrayList<>();
        long unseen = 0;
        List<NodeRecord> moved = new ArrayList<>();
        java.util.Map<String, Long> held = new java.util.HashMap<>();
        for (GroupRecord g : groups) {
            List<NodeRecord> members = nodes.stream().filter(n -> n.group().equals(g.name())).toList();
            Optional<NodeRecord> primary = members.stream().filter(NodeRecord::isPrimary).findFirst();
            // only the main city's nodes say whether it is lost: a DR node a half-done promotion made primary answers
            for (NodeRecord n : members) {
                Optional<NodeState> seenNow = cluster.isDr(n.idc()) ? Optional.empty() : ha.latest(n.name());
                if (seenNow.isPresent() && seenNow.get().answering() && seenNow.get().observation().get().writable()) {
                    answering.add(n.name() + " in " + n.idc());
                }
            }
            if (primary.isPresent() && cluster.isDr(primary.get().idc())) {
                moved.add(primary.get()); // promoted by an earlier attempt: nothing left to do for it
                continue;
            }
            Optional<NodeState> candidate = members.stream().filter(n -> cluster.isDr(n.idc())).map(n -> ha.latest(n.name()))
                    .flatMap(Optional::stream).filter(s -> s.answering() && s.observation().get().inRecovery())
                    .max(java.util.Comparator.comparingLong(NodeState::lsn));
            if (candidate.isEmpty()) {
                blockers.add(g.name() + ": no DR standby in " + to + " answers.");
                continue;
            }
            held.put(g.name(), candidate.get().lsn());
            Optional<org.idcguard.model.DrStatus.Group> lag = seen.flatMap(s -> s.groups().stream().filter(x -> x.group().equals(g.name())).findFirst());
            String lastKnown = lag.map(org.idcguard.model.DrStatus.Group::lastPrimaryLsn).orElse("-");
            long lossBytes = "-".equals(lastKnown) ? -1 : Math.max(0, Lsn.parse(lastKnown) - candidate.get().lsn());
            long lossMillis = lag.map(org.idcguard.model.DrStatus.Group::lagMillis).orElse(-1L);
            moves.add(new DrPlan.Move(g.name(), primary.map(NodeRecord::name).orElse("-"), candidate.get().name(), lastKnown,
                    Lsn.format(candidate.get().lsn()), lossBytes, lossMillis));
        }
        if (!answering.isEmpty()) {
            blockers.add(0, "The main city is not lost: " + String.join(", ", answering) + (answering.size() == 1 ? " answers" : " answer")
                    + " as primary. Move with the IDC switch, which loses nothing.");
        } else {
            // A main city cut off from the manager and the DR city, not dark, goes on acknowledging its applications'
            // commits until its primaries' leases run out; what they acknowledge after the promotion began would be lost.
            Set<String> toMove = moves.stream().map(DrPlan.Move::group).collect(java.util.stream.Collectors.toSet());
            List<NodeRecord> leading = nodes.stream().filter(n -> n.isPrimary() && !cluster.isDr(n.idc()) && toMove.contains(n.group()))
                    .toList();
            long now = System.currentTimeMillis();
            long until = leading.stream().mapToLong(p -> ha.mayAcknowledgeUntil(cluster.name(), p)).max().orElse(0);
            long heard = leading.stream().mapToLong(p -> ha.drHeardFromMainCity(cluster.name(), p.group())).max().orElse(0);
            long wait = until - now;
            // per group: one whose DR standby last heard the main city earlier may have acknowledged unseen for longer
            unseen = leading.stream().mapToLong(p -> ha.mayAcknowledgeUntil(cluster.name(), p) - ha.drHeardFromMainCity(cluster.name(),
                    p.group())).max().orElse(0);
            unseen = Math.max(0, unseen);
            if (now - heard <= PrimaryLeases.WAL_SENDER_TIMEOUT_MILLIS) {
                blockers.add("The DR city still hears from the main city (" + (now - heard) + " ms ago): the main city is out of the "
                        + "manager's sight, not lost, and its primaries go on acknowledging commits. Move with the IDC switch once the "
                        + "manager reaches it again.");
            } else if (wait > 0) {
                blockers.add("The main city's primaries (" + leading.stream().map(NodeRecord::name).collect(java.util.stream.Collectors
                        .joining(", ")) + ") may still acknowledge commits for " + String.format("%.1f", wait / 1000.0) + " s, until their "
                        + "leases have run out (and any extension their node agents grant while the DR city seemed to stream from them): "
                        + "what they acknowledge meanwhile the DR city never receives. Promote after that.");
            }
        }
        String point = null;
        if (DrPromoteRequest.CONSISTENT.equals(m) && blockers.isEmpty()) {
            List<RestorePoints.Point> points = ha.restorePoints(cluster.name());
            // groups an earlier attempt moved stopped at one point: the rest must stop at the same one, or the cut is torn
            Optional<String> earlier = Optional.empty();
            try {
                earlier = earlierPoint(cluster, moved);
            } catch (IllegalStateException torn) {
                blockers.add(torn.getMessage());
                points = List.of();
            }
            if (earlier.isPresent()) {
                String name = earlier.get();
                points = points.stream().filter(p -> p.name().equals(name)).toList();
            }
            Optional<RestorePoints.Point> common = RestorePoints.newestReachable(points, held, replayedByGroup(cluster, nodes, moves));
            if (common.isEmpty() && !blockers.isEmpty()) {
                // said already
            } else if (common.isEmpty() && earlier.isPresent()) {
                blockers.add("The groups already promoted stopped at the restore point " + earlier.get() + ", which a DR standby "
                        + "left to promote does not hold or has replayed past: promote latest.");
            } else if (common.isEmpty()) {
                blockers.add(RestorePoints.newestHeld(points, held).isEmpty()
                        ? "No restore point has reached every DR standby: promote latest, or wait for one."
                        : "Every restore point the DR standbys hold is one they have replayed past already (their apply delay "
                        + "was set lately): promote latest, or wait for a newer point.");
            } else {
                point = common.get().name();
                long lastSample = seen.map(DrWatch.Snapshot::lastSampleMillis).orElse(common.get().createdMillis());
                moves = atRestorePoint(moves, common.get(), Math.max(0, lastSample - common.get().createdMillis()));
            }
        }
        // A primary last seen acknowledging without the lease check (no library, or no lease file yet) is bounded by
        // nothing once out of sight: if its city lives, it acknowledges until the cut heals, and all of that is lost.
        Set<String> unbounded = Set.copyOf(unleased(moves));
        moves = moves.stream().map(x -> !unbounded.contains(x.oldPrimary()) ? x
                : new DrPlan.Move(x.group(), x.oldPrimary(), x.candidate(), x.lastKnownLsn(), x.candidateLsn(), -1, x.lossMillis())).toList();
        long bytes = moves.stream().mapToLong(x -> Math.max(0, x.lossBytes())).sum();
        long millis = moves.stream().mapToLong(x -> Math.max(0, x.lossMillis())).max().orElse(0);
        return new DrPlan(cluster.name(), to, m, point, bytes, millis, moves, blockers, unseen);
    }

    /** The old primaries of these moves that were last seen acknowledging without the lease check. */
    private List<String> unleased(List<DrPlan.Move> moves) {
        return moves.stream().map(DrPlan.Move::oldPrimary).filter(p -> !"-".equals(p) && !ha.leaseEnforcedWhenLastSeen(p)).sorted().toList();
    }

    /** Main-city primaries not known stopped whose node agent took a lease that has not run out yet. */
    private List<NodeRecord> stillLeased(List<NodeRecord> mainPrimaries, Set<String> stopped) {
        long now = System.currentTimeMillis();
        return mainPrimaries.stream().filter(p -> !stopped.contains(p.name())).filter(p -> ha.leases().takenRunsOut(p.name()) > now).toList();
    }

    private long leaseRemainder(List<NodeRecord> primaries) {
        long now = System.currentTimeMillis();
        return primaries.stream().mapToLong(p -> ha.leases().takenRunsOut(p.name())).max().orElse(now) - now;
    }

    private static void sleepFor(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How far each DR standby to promote has replayed; one that cannot be asked is left out (its promotion checks again). */
    private static java.util.Map<String, Long> replayedByGroup(ClusterRecord cluster, List<NodeRecord> nodes, List<DrPlan.Move> moves) {
        java.util.Map<String, Long> replayed = new java.util.HashMap<>();
        for (DrPlan.Move m : moves) {
            nodes.stream().filter(n -> n.name().equals(m.candidate())).findFirst().ifPresent(n -> {
                try {
                    replayed.put(m.group(), NodeSql.replayed(cluster, n));
                } catch (java.sql.SQLException unreachable) {
                    // checked again before anything changes
                }
            });
        }
        return replayed;
    }

    /** Each group's move stopped at the restore point: it loses what the main city wrote after the point. */
    private static List<DrPlan.Move> atRestorePoint(List<DrPlan.Move> moves, RestorePoints.Point point, long millis) {
        return moves.stream().map(x -> {
            long at = point.lsnByGroup().get(x.group());
            long loss = "-".equals(x.lastKnownLsn()) ? -1 : Math.max(0, Lsn.parse(x.lastKnownLsn()) - at);
            return new DrPlan.Move(x.group(), x.oldPrimary(), x.candidate(), x.lastKnownLsn(), Lsn.format(at), loss, millis);
        }).toList();
    }

    /** Checks the preflight again (and the DBA's acceptance of the loss) and starts the promotion as a task. */
    public synchronized TaskView start(String clusterName, DrPromoteRequest request) {
        DrPlan plan = plan(clusterName, request == null ? null : request.to(), request == null ? null : request.modeOrDefault());
        if (plan.blocked()) {
            throw ApiFailure.conflict("to", "The promotion to " + plan.to() + " cannot start: " + String.join(" ", plan.blockers()));
        }
        boolean unknown = plan.groups().stream().anyMatch(m -> m.lossBytes() < 0);
        if ((plan.estimatedLossBytes() > 0 || unknown || plan.unseenMillis() > 0) && !request.lossAccepted()) {
            List<String> unbounded = unleased(plan.groups());
            throw ApiFailure.conflict("acceptLoss", "Promoting " + plan.to() + " now loses " + (unknown ? "an unknown amount"
                    : "about " + plan.estimatedLossBytes() + " bytes") + " (up to " + String.format("%.1f", plan.estimatedLossMillis() / 1000.0)
                    + " s of commits" + (unbounded.isEmpty() ? "" : "; " + String.join(", ", unbounded) + " acknowledged without the lease "
                    + "check when last seen, so nothing bounds what they acknowledge if their city lives") + ")"
                    + (plan.unseenMillis() > 0 ? ", and " + plan.unseenSentence().substring(0, 1).toLowerCase() + plan.unseenSentence().substring(1)
                    .replaceAll("\\.$", "") : "") + ": confirm that you accept the loss.");
        }
        ClusterRecord cluster = drCluster(clusterName);
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, cluster.name()));
        List<NodeRecord> mainPrimaries = plan.groups().stream().flatMap(m -> nodes.stream().filter(n -> n.name().equals(m.oldPrimary())))
                .filter(n -> !cluster.isDr(n.idc())).toList();
        Set<String> stopped = ConcurrentHashMap.newKeySet();
        List<String> running = askAgents(mainPrimaries, stopped);
        if (!running.isEmpty()) {
            // the manager renews its lease until the promotion begins: it may be acknowledging commits right now
            throw ApiFailure.conflict("to", "The promotion to " + plan.to() + " cannot start: the node agent of " + String.join(", ", running)
                    + (running.size() == 1 ? " reports it" : " reports them") + " running and " + (running.size() == 1 ? "its lease" : "their leases")
                    + " could still hold, so " + (running.size() == 1 ? "it" : "they") + " may still acknowledge commits: stop "
                    + (running.size() == 1 ? "it" : "them") + ", or move with the IDC switch, which loses nothing.");
        }
        // A node agent that answered for a lease a moment ago and not now (cut off since) may still hold it: what its
        // primary acknowledges until it runs out would be lost, so nothing starts until then.
        // The plan cannot see this corner (it asks no node agent), so a remainder as short as a lease is waited out here
        // rather than refusing a promotion its preflight called clear; the leases are looked at again afterwards.
        List<NodeRecord> stillLeased = stillLeased(mainPrimaries, stopped);
        long remainder = leaseRemainder(stillLeased);
        if (!stillLeased.isEmpty() && remainder <= SHORT_LEASE_WAIT_MILLIS) {
            sleepFor(remainder + 50);
            stillLeased = stillLeased(mainPrimaries, stopped);
        }
        if (!stillLeased.isEmpty()) {
            long wait = leaseRemainder(stillLeased);
            throw ApiFailure.conflict("to", "The promotion to " + plan.to() + " cannot start: the node agent of "
                    + stillLeased.stream().map(p -> p.name() + " in " + p.idc()).collect(java.util.stream.Collectors.joining(", "))
                    + " does not answer, and the last lease it took may hold for " + String.format("%.1f", wait / 1000.0)
                    + " s more, while its primary acknowledges commits the DR city never receives: promote after that.");
        }
        List<String> leased = mainPrimaries.stream().map(NodeRecord::name).toList();
        List<String> steps = new ArrayList<>();
        boolean atPoint = plan.restorePoint() != null;
        if (atPoint) {
            steps.add("Check that every DR standby can stop at the restore point " + plan.restorePoint());
        }
        steps.add("Detach the DR standbys from the main city");
        steps.add("Fence what still answers of the main city");
        steps.add("Wait until the main city's primaries' leases have run out");
        plan.groups().forEach(m -> steps.add("Promote " + m.candidate() + " in " + plan.to() + " for " + m.group()));
        steps.add("Point the coordinator at the new primaries");
        long already = store.inTransaction(c -> clusters.groups(c, cluster.name())).size() - plan.groups().size();
        store.inTransaction(c -> {
            events.record(c, "dr.promoting", cluster.name(), "Promoting the backup city " + plan.to() + " for " + cluster.name()
                    + " (" + plan.mode() + "); estimated loss " + plan.estimatedLossBytes() + " bytes, up to "
                    + String.format("%.1f", plan.estimatedLossMillis() / 1000.0) + " s of commits, accepted by the DBA."
                    + (already == 0 ? "" : " " + already + (already == 1 ? " group was" : " groups were") + " promoted by an earlier attempt."));
            return null;
        });
        return tasks.start("dr-promote", cluster.name(), steps, progress -> {
            int step = 1;
            if (atPoint) {
                // before anything changes: a group that cannot stop at the point would leave the cut torn
                progress.run(step++, () -> checkNotPast(cluster, nodes, plan));
            }
            // From here no lease names the main city's primaries, so the last ones they were given only run out.
            ha.leases().withhold(leased);
            List<String> failed = new ArrayList<>();
            try {
                Map<String, String> undetached = new ConcurrentHashMap<>();
                long[] detachedAt = {0};
                progress.run(step++, () -> {
                    String detail = detachDrStandbys(cluster, nodes, plan, undetached);
                    detachedAt[0] = System.currentTimeMillis();
                    return detail;
                });
                progress.run(step++, () -> fenceMainCity(nodes.stream().filter(n -> !cluster.isDr(n.idc())).toList(), stopped));
                progress.run(step++, () -> awaitLeases(cluster, mainPrimaries, stopped, detachedAt[0]));
                List<CompletableFuture<Void>> all = new ArrayList<>();
                for (int i = 0; i < plan.groups().size(); i++) {
                    int ordinal = step + i;
                    DrPlan.Move m = plan.groups().get(i);
                    all.add(CompletableFuture.runAsync(() -> {
                        try {
                            progress.run(ordinal, () -> {
                                if (undetached.containsKey(m.group())) {
                                    throw new IllegalStateException(undetached.get(m.group()));
                                }
                                return ha.exclusive(cluster.name(), m.group(), () -> promote(cluster, m, plan));
                            });
                        } catch (Exception e) {
                            throw new CompletionException(new IllegalStateException(m.group() + ": " + e.getMessage(), e));
                        }
                    }, tasks.pool()));
                }
                for (CompletableFuture<Void> f : all) {
                    try {
                        f.join();
                    } catch (CompletionException e) {
                        failed.add(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
                    }
                }
            } finally {
                // a group left unpromoted keeps its recorded primary, whose leases are renewed again
                ha.leases().release(leased);
            }
            long lost = promotions(cluster.name()).stream().mapToLong(DrStatus.Promotion::lossBytes).sum();
            finishIfEveryGroupMoved(store, events, cluster.name(), " Actual loss against the last positions "
                    + "known from the main city: " + lost + " bytes (estimated " + plan.estimatedLossBytes() + ").");
            ha.primariesMoved(cluster.name());
            progress.run(step + plan.groups().size(), () -> {
                ha.awaitRouting(cluster.name());
                return "each shard's new primary is tried first";
            });
            if (!failed.isEmpty()) {
                throw new IllegalStateException("The promotion did not move every group (promote again to finish it): " + String.join(" ", failed));
            }
            return "Every primary of " + cluster.name() + " is in " + plan.to() + "; actual loss " + lost + " bytes (estimated "
                    + plan.estimatedLossBytes() + ").";
        });
    }

    /**
     * Once every group's primary stands in the DR IDC, the DR IDC becomes the cluster's primary IDC and the old one its
     * backup: at the end of a promotion, of a retry that finished one, or of the intent recovery that rolled the last group
     * forward. Returns whether it swapped them now.
     */
    /**
     * The same in a transaction of its own, one at a time: groups promoted or rolled forward in parallel each finish
     * with this, and only a check made after every other group's roles were committed can see that all have moved.
     */
    static boolean finishIfEveryGroupMoved(org.idcguard.agent.manager.Transactions store, EventLog events, String clusterName, String loss) {
        synchronized (BackupCityPromotion.class) {
            return store.inTransaction(c -> finishIfEveryGroupMoved(c, events, clusterName, loss));
        }
    }

    static boolean finishIfEveryGroupMoved(java.sql.Connection c, EventLog events, String clusterName, String loss)
            throws java.sql.SQLException {
        ClusterRepository repository = new ClusterRepository();
        ClusterRecord cluster = repository.find(c, clusterName).orElse(null);
        if (cluster == null || !cluster.hasDr() || cluster.runsInDrCity()) {
            return false;
        }
        List<NodeRecord> nodes = repository.nodes(c, clusterName);
        boolean every = repository.groups(c, clusterName).stream().allMatch(g -> nodes.stream()
                .anyMatch(n -> n.group().equals(g.name()) && n.isPrimary() && cluster.isDr(n.idc())));
        if (every) {
            repository.setIdcs(c, clusterName, cluster.drIdc(), cluster.primaryIdc());
            events.record(c, "dr.promoted", clusterName, "Every primary of " + clusterName + " is in " + cluster.drIdc() + ", now its "
                    + "primary IDC." + loss + " The main city's nodes are rewound and rejoin as standbys when they return.");
        }
        return every;
    }

    /**
     * Asks the node agents of the main city's primaries whether each runs: one reported stopped (or not held at all) is
     * added to {@code stopped}; one reported running is returned, as "name in IDC". One whose node agent does not answer
     * is neither: the promotion waits for its lease.
     */
    private List<String> askAgents(List<NodeRecord> primaries, Set<String> stopped) {
        List<CompletableFuture<Optional<Boolean>>> asked = primaries.stream().map(p -> CompletableFuture.supplyAsync(() -> agents
                .instances(p.agentEndpoint()).stream().filter(i -> i.name().equals(p.name())).findFirst()
                .map(org.idcguard.model.InstanceStatus::running), tasks.pool())).toList();
        List<String> running = new ArrayList<>();
        for (int i = 0; i < primaries.size(); i++) {
            NodeRecord p = primaries.get(i);
            try {
                if (asked.get(i).get(AGENT_WAIT_MILLIS, TimeUnit.MILLISECONDS).orElse(false)) {
                    running.add(p.name() + " in " + p.idc());
                } else {
                    stopped.add(p.name());
                }
            } catch (Exception unreachable) {
                // down with its computer, or cut off: only its lease running out tells that it acknowledges nothing
            }
        }
        return running;
    }

    /**
     * Detaches every DR standby of the groups to promote from the main city: from then on none sends the main city's
     * primaries anything, which also ends any lease extension their node agents grant while every member streams. A
     * group whose DR standby to promote cannot be detached is not promoted (its primary might still be extended).
     */
    private String detachDrStandbys(ClusterRecord cluster, List<NodeRecord> nodes, DrPlan plan, Map<String, String> undetached) {
        Map<String, String> candidates = new java.util.HashMap<>();
        plan.groups().forEach(m -> candidates.put(m.group(), m.candidate()));
        List<NodeRecord> dr = nodes.stream().filter(n -> cluster.isDr(n.idc()) && candidates.containsKey(n.group()) && !n.isPrimary()).toList();
        List<CompletableFuture<String>> detaching = dr.stream().map(n -> CompletableFuture.supplyAsync(() -> {
            try (java.sql.Connection db = org.idcguard.agent.manager.cluster.PgSession.admin(cluster, n, "postgres")) {
                NodeSql.detach(db, n);
                return (String) null;
            } catch (java.sql.SQLException e) {
                return e.getMessage();
            }
        }, tasks.pool())).toList();
        List<String> done = new ArrayList<>();
        List<String> not = new ArrayList<>();
        for (int i = 0; i < dr.size(); i++) {
            NodeRecord n = dr.get(i);
            String problem = detaching.get(i).join();
            if (problem == null) {
                done.add(n.name());
                continue;
            }
            not.add(n.name());
            if (n.name().equals(candidates.get(n.group()))) {
                undetached.put(n.group(), n.name() + " could not be detached from the main city (" + problem + "): it is not promoted.");
            }
        }
        return (done.isEmpty() ? "none detached" : "detached " + String.join(", ", done)) + (not.isEmpty() ? "" : "; not detached "
                + String.join(", ", not));
    }

    /**
     * Waits until no main-city primary may still believe it leads: one its node agent found stopped needs no wait; for
     * each other one, until its last lease has run out and so has any extension its node agent may have begun before the
     * DR standbys were detached. Refused when one answers again meanwhile (its node agent did not fence it).
     */
    private String awaitLeases(ClusterRecord cluster, List<NodeRecord> primaries, Set<String> stopped, long detachedAt)
            throws InterruptedException {
        List<NodeRecord> waitFor = primaries.stream().filter(p -> !stopped.contains(p.name())).toList();
        if (waitFor.isEmpty()) {
            return primaries.isEmpty() ? "no main-city primary is left" : "every main-city primary is stopped, by its node agent: no wait";
        }
        long until = waitFor.stream().mapToLong(p -> leaseRunsOut(ha.leases().lastIssued(p.name()), detachedAt)).max().orElse(0);
        String whose = waitFor.stream().map(NodeRecord::idc).distinct().sorted().map(i -> i + "'s").collect(java.util.stream.Collectors
                .joining(" and ")) + " primaries' leases";
        long wait = Math.max(0, until - System.currentTimeMillis());
        long seconds = (wait + 999) / 1000;
        events.record("dr.waiting", cluster.name(), "Waiting " + seconds + " s until " + whose + " have run out ("
                + waitFor.stream().map(NodeRecord::name).collect(java.util.stream.Collectors.joining(", "))
                + "): the manager can no longer reach them to stop them, so only then can none of them acknowledge a commit.");
        Thread.sleep(wait);
        List<String> back = new ArrayList<>(askAgents(waitFor, ConcurrentHashMap.newKeySet()));
        for (NodeRecord p : waitFor) {
            Optional<NodeState> now = ha.latest(p.name());
            if (now.isPresent() && now.get().answering() && now.get().observation().get().writable()) {
                back.add(p.name() + " in " + p.idc());
            }
        }
        if (!back.isEmpty()) {
            throw new IllegalStateException("Nothing was promoted: " + String.join(", ", back.stream().distinct().toList())
                    + " still runs as primary after its lease ran out; move with the IDC switch, which loses nothing.");
        }
        return "waited " + seconds + " s until " + whose + " had run out";
    }

    /**
     * When a main-city primary can no longer believe it leads: its last lease has run out, and so has any extension its
     * node agent may have begun just before the DR standbys were detached (one failure window begun no later than the
     * detach, counted twice), with a second of margin for the clocks of the manager and the node agent.
     */
    static long leaseRunsOut(RoleLease last, long detachedAtMillis) {
        return Math.max(last.issuedAtMillis() + last.validMillis(), detachedAtMillis + 2 * last.validMillis() + 1000);
    }

    /**
     * Stops every main-city instance whose node agent still answers; one that cannot be reached is rewound when it
     * returns. Those its node agent reports stopped are added to {@code stopped}.
     */
    private String fenceMainCity(List<NodeRecord> mainCity, Set<String> stopped) {
        List<CompletableFuture<org.idcguard.model.InstanceStatus>> stops = mainCity.stream().map(n -> CompletableFuture.supplyAsync(() ->
                agents.stopInstance(n.agentEndpoint(), n.name(), "immediate"), tasks.pool())).toList();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < mainCity.size(); i++) {
            try {
                org.idcguard.model.InstanceStatus s = stops.get(i).get(FENCE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                names.add(mainCity.get(i).name());
                if (s == null || !s.running()) {
                    stopped.add(mainCity.get(i).name());
                }
            } catch (Exception unreachable) {
                // down with its IDC, or cut off: it is marked for rewind and cannot rejoin without one
            }
        }
        return names.isEmpty() ? "nothing of the main city answers" : "stopped " + String.join(", ", names);
    }

    private String promote(ClusterRecord cluster, DrPlan.Move m, DrPlan plan) throws Exception {
        DrGroupPromotion.Promoted p = drGroups.promote(cluster, m, plan);
        ha.awaitObserved(p.candidate().name(), NodeObservation::writable);
        return p.candidate().name() + " promoted at " + Lsn.format(p.received()) + ", " + p.lossBytes() + " bytes lost";
    }

    /** Every DR standby to promote has not replayed past the restore point (its apply delay held it back). */
    private String checkNotPast(ClusterRecord cluster, List<NodeRecord> nodes, DrPlan plan) throws java.sql.SQLException {
        for (DrPlan.Move m : plan.groups()) {
            NodeRecord candidate = nodes.stream().filter(n -> n.name().equals(m.candidate())).findFirst().orElseThrow();
            long replayed = NodeSql.replayed(cluster, candidate);
            if (replayed > Lsn.parse(m.candidateLsn())) {
                throw new IllegalStateException(candidate.name() + " has replayed to " + Lsn.format(replayed) + ", past the restore point "
                        + plan.restorePoint() + " at " + m.candidateLsn() + " (its apply delay was set only lately): nothing was "
                        + "changed; promote latest, or wait for a newer restore point.");
            }
        }
        return "every DR standby replayed no further than " + plan.restorePoint();
    }

    /**
     * The restore point the groups an earlier attempt promoted stopped at, read from each new primary's newest timeline
     * history ("at restore point" and its name when it stopped at one); empty when no group was promoted before.
     * Throws with the sentence of a blocker when they stopped elsewhere, at different points, or cannot be asked.
     */
    private static Optional<String> earlierPoint(ClusterRecord cluster, List<NodeRecord> moved) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        java.util.regex.Pattern atPoint = java.util.regex.Pattern.compile("at restore point \"(.*)\"");
        for (NodeRecord p : moved) {
            String history;
            try (java.sql.Connection db = org.idcguard.agent.manager.cluster.PgSession.admin(cluster, p, "postgres");
                 java.sql.Statement st = db.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT pg_read_file('pg_wal/' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) "
                        + "|| '.history')");
                rs.next();
                history = rs.getString(1).strip();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(p.name() + ", promoted by an earlier attempt, cannot be asked at which restore point it "
                        + "stopped (" + e.getMessage() + "): promote latest, or wait until it answers.");
            }
            String last = history.substring(history.lastIndexOf('\n') + 1);
            java.util.regex.Matcher m = atPoint.matcher(last);
            if (!m.find()) {
                throw new IllegalStateException(p.name() + " was promoted by an earlier attempt at the newest WAL it held, not at a "
                        + "restore point, so no cut is consistent any more: promote latest.");
            }
            names.add(m.group(1));
        }
        if (names.size() > 1) {
            throw new IllegalStateException("The groups promoted by earlier attempts stopped at different restore points ("
                    + String.join(", ", names) + "): promote latest.");
        }
        return names.stream().findFirst();
    }

    private List<DrStatus.Promotion> promotions(String cluster) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT group_name, node, mode, estimated_loss, last_known_lsn, promoted_lsn, "
                    + "loss_bytes, promoted_millis FROM dr_promotion WHERE cluster = ? AND promoted_millis >= "
                    + "(SELECT MAX(promoted_millis) - 60000 FROM dr_promotion WHERE cluster = ?) ORDER BY group_name")) {
                // the last promotion's rows: its groups are promoted within seconds of each other
                st.setString(1, cluster);
                st.setString(2, cluster);
                ResultSet rs = st.executeQuery();
                List<DrStatus.Promotion> all = new ArrayList<>();
                while (rs.next()) {
                    all.add(new DrStatus.Promotion(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                            rs.getString(6), rs.getLong(7), rs.getLong(8)));
                }
                return all;
            }
        });
    }

    private ClusterRecord drCluster(String clusterName) {
        ClusterRecord cluster = store.inTransaction(c -> clusters.find(c, clusterName))
                .orElseThrow(() -> ApiFailure.notFound("There is no cluster named " + Names.shorten(clusterName) + "."));
        if (!cluster.hasDr()) {
            throw ApiFailure.conflict(null, "Cluster " + cluster.name() + " has no DR IDC.");
        }
        return cluster;
    }
}
