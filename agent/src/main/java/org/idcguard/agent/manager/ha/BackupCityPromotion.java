package org.idcguard.agent.manager.ha;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import org.idcguard.model.TaskView;

/**
 * The DBA's promotion of the backup city (DESIGN "Cross-city DR"), never the manager's own: the preflight shows per
 * group the DR standby that would be promoted and what it lacks of the main city's last known position; the promotion
 * fences what still answers of the main city, promotes one DR standby per group (the one that received most), marks
 * every main-city node to be rewound, points the coordinator at the new primaries and records, per group, the position
 * promoted against the last one known from the old primary: the actual loss, shown afterwards.
 */
public final class BackupCityPromotion {
    private static final long FENCE_WAIT_MILLIS = 5000;
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final TaskRunner tasks;
    private final HaLoop ha;
    private final ClusterRepository clusters = new ClusterRepository();
    private final IdcRepository idcs = new IdcRepository();
    private final FailoverIntents intents = new FailoverIntents();

    public BackupCityPromotion(MetadataStore store, EventLog events, NodeAgentClient agents, TaskRunner tasks, HaLoop ha) {
        this.store = store;
        this.events = events;
        this.agents = agents;
        this.tasks = tasks;
        this.ha = ha;
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
        java.util.Map<String, Long> held = new java.util.HashMap<>();
        for (GroupRecord g : groups) {
            List<NodeRecord> members = nodes.stream().filter(n -> n.group().equals(g.name())).toList();
            Optional<NodeRecord> primary = members.stream().filter(NodeRecord::isPrimary).findFirst();
            Optional<NodeState> primaryState = primary.flatMap(p -> ha.latest(p.name()));
            if (primaryState.isPresent() && primaryState.get().answering() && primaryState.get().observation().get().writable()) {
                answering.add(primary.get().name() + " in " + primary.get().idc());
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
        }
        String point = null;
        if (DrPromoteRequest.CONSISTENT.equals(m) && blockers.isEmpty()) {
            List<RestorePoints.Point> points = ha.restorePoints(cluster.name());
            Optional<RestorePoints.Point> common = RestorePoints.newestReachable(points, held, replayedByGroup(cluster, nodes, moves));
            if (common.isEmpty()) {
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
        long bytes = moves.stream().mapToLong(x -> Math.max(0, x.lossBytes())).sum();
        long millis = moves.stream().mapToLong(x -> Math.max(0, x.lossMillis())).max().orElse(0);
        return new DrPlan(cluster.name(), to, m, point, bytes, millis, moves, blockers);
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
        if ((plan.estimatedLossBytes() > 0 || unknown) && !request.lossAccepted()) {
            throw ApiFailure.conflict("acceptLoss", "Promoting " + plan.to() + " now loses " + (unknown ? "an unknown amount"
                    : "about " + plan.estimatedLossBytes() + " bytes") + " (up to " + String.format("%.1f", plan.estimatedLossMillis() / 1000.0)
                    + " s of commits): confirm that you accept the loss.");
        }
        ClusterRecord cluster = drCluster(clusterName);
        List<String> steps = new ArrayList<>();
        boolean atPoint = plan.restorePoint() != null;
        if (atPoint) {
            steps.add("Check that every DR standby can stop at the restore point " + plan.restorePoint());
        }
        steps.add("Fence what still answers of the main city");
        plan.groups().forEach(m -> steps.add("Promote " + m.candidate() + " in " + plan.to() + " for " + m.group()));
        steps.add("Point the coordinator at the new primaries");
        store.inTransaction(c -> {
            events.record(c, "dr.promoting", cluster.name(), "Promoting the backup city " + plan.to() + " for " + cluster.name()
                    + " (" + plan.mode() + "); estimated loss " + plan.estimatedLossBytes() + " bytes, up to "
                    + String.format("%.1f", plan.estimatedLossMillis() / 1000.0) + " s of commits, accepted by the DBA.");
            return null;
        });
        return tasks.start("dr-promote", cluster.name(), steps, progress -> {
            List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, cluster.name()));
            int first = atPoint ? 2 : 1;
            if (atPoint) {
                // before anything changes: a group that cannot stop at the point would leave the cut torn
                progress.run(1, () -> checkNotPast(cluster, nodes, plan));
            }
            progress.run(first, () -> fenceMainCity(nodes.stream().filter(n -> !cluster.isDr(n.idc())).toList()));
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < plan.groups().size(); i++) {
                int ordinal = i + first + 1;
                DrPlan.Move m = plan.groups().get(i);
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        progress.run(ordinal, () -> ha.exclusive(cluster.name(), m.group(), () -> promote(cluster, m, plan)));
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
            if (failed.isEmpty()) {
                store.inTransaction(c -> {
                    clusters.setIdcs(c, cluster.name(), cluster.drIdc(), cluster.primaryIdc());
                    return null;
                });
            }
            ha.primariesMoved(cluster.name());
            progress.run(plan.groups().size() + first + 1, () -> {
                ha.awaitRouting(cluster.name());
                return "each shard's new primary is tried first";
            });
            if (!failed.isEmpty()) {
                throw new IllegalStateException("The promotion did not move every group: " + String.join(" ", failed));
            }
            long lost = promotions(cluster.name()).stream().mapToLong(DrStatus.Promotion::lossBytes).sum();
            store.inTransaction(c -> {
                events.record(c, "dr.promoted", cluster.name(), "Every primary of " + cluster.name() + " is in " + plan.to()
                        + ". Actual loss against the last positions known from the main city: " + lost + " bytes (estimated "
                        + plan.estimatedLossBytes() + "). The main city's nodes are rewound and rejoin as standbys when they return.");
                return null;
            });
            return "Every primary of " + cluster.name() + " is in " + plan.to() + "; actual loss " + lost + " bytes (estimated "
                    + plan.estimatedLossBytes() + ").";
        });
    }

    /** Stops every main-city instance whose node agent still answers; one that cannot be reached is rewound when it returns. */
    private String fenceMainCity(List<NodeRecord> mainCity) {
        List<CompletableFuture<String>> stops = mainCity.stream().map(n -> CompletableFuture.supplyAsync(() -> {
            agents.stopInstance(n.agentEndpoint(), n.name(), "immediate");
            return n.name();
        }, tasks.pool())).toList();
        List<String> stopped = new ArrayList<>();
        for (CompletableFuture<String> s : stops) {
            try {
                stopped.add(s.get(FENCE_WAIT_MILLIS, TimeUnit.MILLISECONDS));
            } catch (Exception unreachable) {
                // down with its IDC, or cut off: it is marked for rewind and cannot rejoin without one
            }
        }
        return stopped.isEmpty() ? "nothing of the main city answers" : "stopped " + String.join(", ", stopped);
    }

    private String promote(ClusterRecord cluster, DrPlan.Move m, DrPlan plan) throws Exception {
        String mode = plan.mode();
        String subject = cluster.name() + "/" + m.group();
        List<NodeRecord> members = store.inTransaction(c -> clusters.nodes(c, cluster.name())).stream()
                .filter(n -> n.group().equals(m.group())).toList();
        NodeRecord candidate = members.stream().filter(n -> n.name().equals(m.candidate())).findFirst().orElseThrow();
        NodeRecord old = members.stream().filter(NodeRecord::isPrimary).findFirst().orElseThrow();
        GroupRecord group = store.inTransaction(c -> clusters.groups(c, cluster.name())).stream()
                .filter(g -> g.name().equals(m.group())).findFirst().orElseThrow();
        long intent = store.inTransaction(c -> {
            long id = intents.insert(c, FailoverIntents.DR, cluster.name(), m.group(), old.name(), candidate.name(),
                    "Backup-city promotion confirmed by the DBA: " + candidate.name() + " in " + candidate.idc() + ".");
            intents.step(c, id, FailoverIntents.PROMOTING); // nothing to detach: the main city sends nothing any more
            return id;
        });
        long received;
        if (plan.restorePoint() != null) {
            received = Lsn.parse(m.candidateLsn());
            promoteAtRestorePoint(cluster, candidate, plan.restorePoint(), received);
        } else {
            received = NodeSql.position(cluster, candidate);
            NodeSql.promote(cluster, candidate);
        }
        long lastKnown = "-".equals(m.lastKnownLsn()) ? received : Lsn.parse(m.lastKnownLsn());
        long loss = Math.max(0, lastKnown - received);
        List<String> mainCity = members.stream().filter(n -> n != candidate && n != old).map(NodeRecord::name).toList();
        store.inTransaction(c -> {
            clusters.setRole(c, old.name(), "standby", true);
            for (String n : mainCity) {
                clusters.setRole(c, n, "standby", true);
            }
            clusters.setRole(c, candidate.name(), "primary", false);
            clusters.setSyncSet(c, cluster.name(), group.name(), List.of());
            clusters.setConfiguredStandbys(c, cluster.name(), group.name(), List.of());
            intents.end(c, intent, FailoverIntents.DONE, "promoted at " + Lsn.format(received));
            try (PreparedStatement st = c.prepareStatement("INSERT INTO dr_promotion (cluster, group_name, node, mode, estimated_loss, "
                    + "last_known_lsn, promoted_lsn, loss_bytes, promoted_millis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                st.setString(1, cluster.name());
                st.setString(2, group.name());
                st.setString(3, candidate.name());
                st.setString(4, mode);
                st.setLong(5, m.lossBytes());
                st.setString(6, Lsn.format(lastKnown));
                st.setString(7, Lsn.format(received));
                st.setLong(8, loss);
                st.setLong(9, System.currentTimeMillis());
                st.executeUpdate();
            }
            events.record(c, "dr.group", subject, candidate.name() + " in " + candidate.idc() + " is the primary of " + group.name()
                    + " at " + Lsn.format(received) + "; the main city's last known position was " + Lsn.format(lastKnown) + ": "
                    + loss + " bytes lost. " + old.name() + (mainCity.isEmpty() ? "" : " and " + String.join(", ", mainCity))
                    + " will be rewound.");
            return null;
        });
        ha.awaitObserved(candidate.name(), NodeObservation::writable);
        return candidate.name() + " promoted at " + Lsn.format(received) + ", " + loss + " bytes lost";
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
     * Stops the DR standby at the restore point: recovery_target_name with the promote action, its apply delay lifted,
     * and a restart (the target is read at start); it replays up to the point and promotes itself. Refused when it has
     * replayed past the point already.
     */
    private void promoteAtRestorePoint(ClusterRecord cluster, NodeRecord candidate, String point, long pointLsn) throws Exception {
        try (java.sql.Connection db = org.idcguard.agent.manager.cluster.PgSession.admin(cluster, candidate, "postgres");
             java.sql.Statement st = db.createStatement()) {
            long replayed = NodeSql.replayed(db);
            if (replayed > pointLsn) {
                throw new IllegalStateException(candidate.name() + " has replayed to " + Lsn.format(replayed) + ", past the restore point "
                        + point + " at " + Lsn.format(pointLsn) + ": promote latest.");
            }
            org.idcguard.agent.manager.cluster.PgSession.checkMayChange();
            st.execute("ALTER SYSTEM SET recovery_target_name = " + org.idcguard.agent.manager.cluster.PgSession.literal(point));
            st.execute("ALTER SYSTEM SET recovery_target_action = 'promote'");
            st.execute("ALTER SYSTEM SET recovery_min_apply_delay = 0");
        }
        agents.stopInstance(candidate.agentEndpoint(), candidate.name(), "fast");
        agents.startInstance(candidate.agentEndpoint(), candidate.name());
        long deadline = System.currentTimeMillis() + 60_000;
        while (!NodeSql.inRecovery(cluster, candidate).map(r -> !r).orElse(false)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(candidate.name() + " did not reach the restore point " + point + " within 60 s.");
            }
            Thread.sleep(100);
        }
        // a target left in place would stop this node again the next time it is a standby
        try (java.sql.Connection db = org.idcguard.agent.manager.cluster.PgSession.admin(cluster, candidate, "postgres");
             java.sql.Statement st = db.createStatement()) {
            st.execute("ALTER SYSTEM RESET recovery_target_name");
            st.execute("ALTER SYSTEM RESET recovery_target_action");
            st.executeQuery("SELECT pg_reload_conf()").close();
        }
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
