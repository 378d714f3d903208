package org.idcguard.agent.manager.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.manager.DrillReports;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.alert.AlertStore;
import org.idcguard.agent.manager.cluster.ClusterService;
import org.idcguard.agent.manager.ha.HaLoop;
import org.idcguard.agent.manager.ha.NodeObservation;
import org.idcguard.agent.manager.ha.NodeState;
import org.idcguard.agent.manager.ha.ProbeStats;
import org.idcguard.model.Alert;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.DrillReport;
import org.idcguard.model.DrillRound;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;

/**
 * The manager's {@code GET /metrics} in the Prometheus text format (Prometheus Java client). The state of every
 * cluster is read once per scrape, from the same record and probes the API shows; durations of takeovers, switches and
 * rejoins come from the event log ({@link EventDurations}), so they survive a manager restart. Names are documented in
 * docs/monitoring/, whose alert rules and dashboard use them.
 */
public final class ManagerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ClusterService clusters;
    private final HaLoop ha;
    private final AlertStore alerts;
    private final DrillReports drills;
    private final EventDurations durations;
    /** What this scrape reads; the callbacks below draw from it. */
    private Snapshot now = Snapshot.EMPTY;

    private record Snapshot(List<ClusterDetail> details, Map<String, ProbeStats> probes, List<Alert> openAlerts,
                            List<DrillReport> lastDrills) {
        static final Snapshot EMPTY = new Snapshot(List.of(), Map.of(), List.of(), List.of());
    }

    public ManagerMetrics(ClusterService clusters, HaLoop ha, EventLog events, AlertStore alerts, DrillReports drills) {
        this.clusters = clusters;
        this.ha = ha;
        this.alerts = alerts;
        this.drills = drills;
        this.durations = new EventDurations(events, registry);
        gauge("idcguard_node_role", "1 for each node's role as probed (primary, standby or down).",
                cb -> eachNode((d, g, n) -> cb.call(1, d.summary().name(), g.name(), n.name(), n.idc(), n.role())),
                "cluster", "group", "node", "idc", "role");
        gauge("idcguard_node_up", "1 when the node answered the manager's last probe, 0 when not.",
                cb -> eachNode((d, g, n) -> cb.call(ha.latest(n.name()).map(NodeState::answering).orElse(false) ? 1 : 0,
                        d.summary().name(), g.name(), n.name(), n.idc())), "cluster", "group", "node", "idc");
        gauge("idcguard_replication_lag_bytes", "WAL a standby has not yet flushed, against its primary's position.",
                cb -> eachNode((d, g, n) -> {
                    if (!"primary".equals(n.role())) {
                        cb.call(Math.max(0, n.lagBytes()), d.summary().name(), g.name(), n.name(), n.idc());
                    }
                }), "cluster", "group", "node", "idc");
        gauge("idcguard_replication_lag_seconds", "A standby's replay lag as its primary reports it (pg_stat_replication.replay_lag).",
                cb -> eachNode((d, g, n) -> replayLag(g, n).ifPresent(millis -> cb.call(millis / 1000.0, d.summary().name(),
                        g.name(), n.name(), n.idc()))), "cluster", "group", "node", "idc");
        gauge("idcguard_sync_standby", "1 when the standby is in its group's synchronous set (commits wait for it), 0 when not.",
                cb -> eachNode((d, g, n) -> {
                    if (!"primary".equals(n.role())) {
                        cb.call(g.syncSet().contains(n.name()) ? 1 : 0, d.summary().name(), g.name(), n.name(), n.idc());
                    }
                }), "cluster", "group", "node", "idc");
        gauge("idcguard_probe_latency_seconds", "How long the manager's last answered probe of the node took.",
                cb -> eachNode((d, g, n) -> {
                    ProbeStats p = now.probes().get(n.name());
                    if (p != null && p.latencyMicros() >= 0) {
                        cb.call(p.latencyMicros() / 1_000_000.0, d.summary().name(), n.name());
                    }
                }), "cluster", "node");
        CounterWithCallback.builder().name("idcguard_probe_failures").help("Probes of the node counted failed since the manager started.")
                .labelNames("cluster", "node").callback(cb -> eachNode((d, g, n) -> {
                    ProbeStats p = now.probes().get(n.name());
                    cb.call(p == null ? 0 : p.failedTotal(), d.summary().name(), n.name());
                })).register(registry);
        gauge("idcguard_cluster_protected", "1 when every group's commits wait for a standby in the other IDC and every node streams.",
                cb -> now.details().forEach(d -> cb.call(ClusterHealth.fullyProtected(d) ? 1 : 0, d.summary().name())), "cluster");
        gauge("idcguard_cluster_primary_idc", "1 for the IDC that holds the cluster's primaries.",
                cb -> now.details().forEach(d -> cb.call(1, d.summary().name(), d.summary().primaryIdc())), "cluster", "idc");
        gauge("idcguard_alerts_open", "Alerts not yet acknowledged, by level.",
                cb -> List.of("critical", "warning", "info").forEach(level -> cb.call(
                        now.openAlerts().stream().filter(a -> level.equalsIgnoreCase(a.level())).count(), level)), "level");
        gauge("idcguard_drill_last_rto_seconds", "The worst round's RTO of the cluster's last drill.",
                cb -> now.lastDrills().forEach(r -> cb.call(r.rounds().stream().mapToLong(DrillRound::rtoMillis).max().orElse(0) / 1000.0,
                        r.cluster(), r.fault())), "cluster", "fault");
        gauge("idcguard_drill_last_lost_writes", "Acknowledged writes lost in the cluster's last drill (must be 0).",
                cb -> now.lastDrills().forEach(r -> cb.call(r.rounds().stream().mapToLong(DrillRound::rpo).sum(), r.cluster(), r.fault())),
                "cluster", "fault");
        gauge("idcguard_drill_last_passed", "1 when the cluster's last drill passed.",
                cb -> now.lastDrills().forEach(r -> cb.call(r.passed() ? 1 : 0, r.cluster(), r.fault())), "cluster", "fault");
    }

    private void gauge(String name, String help, Consumer<GaugeWithCallback.Callback> callback, String... labels) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(labels).callback(callback).register(registry);
    }

    private interface NodeVisitor {
        void visit(ClusterDetail d, GroupView g, NodeView n);
    }

    private void eachNode(NodeVisitor visitor) {
        for (ClusterDetail d : now.details()) {
            for (GroupView g : d.groups()) {
                for (NodeView n : g.nodes()) {
                    visitor.visit(d, g, n);
                }
            }
        }
    }

    /** The standby's replay lag as its group's primary last reported it. */
    private java.util.Optional<Long> replayLag(GroupView g, NodeView standby) {
        return ClusterHealth.primary(g).filter(p -> !p.name().equals(standby.name()))
                .flatMap(p -> ha.latest(p.name())).flatMap(NodeState::observation)
                .flatMap(o -> o.replica(standby.name())).map(NodeObservation.Replica::replayLagMillis);
    }

    /** One scrape: reads the state once, then writes every series. */
    public synchronized String scrape() {
        List<ClusterDetail> details = new ArrayList<>();
        List<DrillReport> lastDrills = new ArrayList<>();
        for (var summary : clusters.list()) {
            try {
                details.add(clusters.detail(summary.name()));
            } catch (RuntimeException deletedMeanwhile) {
                continue;
            }
            drills.list(summary.name(), 1).stream().findFirst().ifPresent(lastDrills::add);
        }
        now = new Snapshot(details, ha.probeStats(), alerts.list(true, 1000), lastDrills);
        durations.catchUp();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("Writing the metrics failed: " + e.getMessage(), e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
