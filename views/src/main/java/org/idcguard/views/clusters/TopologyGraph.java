package org.idcguard.views.clusters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Pane;
import javafx.scene.shape.CubicCurve;
import javafx.scene.shape.Rectangle;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.ManagerInfo;
import org.idcguard.model.NodeView;

/**
 * The cluster's topology: one region per IDC (primary IDC first, a DR city's IDC last and marked apart), the computers inside it, and each computer's
 * nodes as chips coloured by role; every standby is joined to its group's primary by an edge drawn solid when
 * synchronous, dashed when asynchronous, red when not streaming, with its replay lag when there is one.
 * Positions are computed here (not by layout passes) so hundreds of nodes redraw in one go.
 */
public final class TopologyGraph extends Pane {
    static final double COLUMN_WIDTH = 330;
    static final double GAP = 90;
    static final double NARROW_COLUMN_WIDTH = 285;
    static final double NARROW_GAP = 36;
    static final double PAD = 12;
    static final double CHIP_HEIGHT = 24;
    static final double HEADER = 30;
    static final double MANAGER_SITE_WIDTH = 280;
    private final Map<String, Point2D[]> chipEdges = new HashMap<>();

    public TopologyGraph() {
        getStyleClass().add("topology");
        setId("topology-graph");
    }

    public void show(ClusterDetail detail) {
        show(detail, List.of());
    }

    /**
     * The same with the managers of a quorum where they run: in their IDC's region, above its computers, or in a
     * region of their own for a site outside the cluster's IDCs (the third site that keeps the majority). A sole
     * manager is not drawn: it has no IDC.
     */
    public void show(ClusterDetail detail, List<ManagerInfo> managers) {
        getChildren().clear();
        chipEdges.clear();
        if (detail == null) {
            return;
        }
        List<Node> boxes = new ArrayList<>();
        List<Node> edges = new ArrayList<>();
        Map<String, Map<String, List<NodeView>>> byIdc = layoutOrder(detail);
        List<ManagerInfo> placed = managers.size() > 1 ? managers.stream().filter(m -> !m.idc().isEmpty()).toList() : List.of();
        placed.forEach(m -> byIdc.computeIfAbsent(m.idc(), k -> new TreeMap<>()));
        double maxY = 0;
        int column = 0;
        // three or more regions (a DR city, a manager site) are drawn narrower, so the whole estate fits the screen
        double columnWidth = byIdc.size() >= 3 ? NARROW_COLUMN_WIDTH : COLUMN_WIDTH;
        double gap = byIdc.size() >= 3 ? NARROW_GAP : GAP;
        for (var idc : byIdc.entrySet()) {
            double x = PAD + column++ * (columnWidth + gap);
            double y = PAD + HEADER;
            List<Node> inside = new ArrayList<>();
            double width = idc.getValue().isEmpty() ? MANAGER_SITE_WIDTH : columnWidth;
            for (ManagerInfo m : placed.stream().filter(m -> m.idc().equals(idc.getKey())).toList()) {
                inside.add(managerChip(m, x + PAD, y, width - 2 * PAD));
                y += CHIP_HEIGHT + 10;
            }
            for (var computer : idc.getValue().entrySet()) {
                double boxHeight = HEADER + computer.getValue().size() * (CHIP_HEIGHT + 6) + 6;
                inside.add(box(x + PAD, y, columnWidth - 2 * PAD, boxHeight, "computer-box", "computer-" + computer.getKey().replace('.', '-')));
                inside.add(label(computer.getKey(), x + 2 * PAD, y + 6, "computer-title"));
                double chipY = y + HEADER;
                for (NodeView n : computer.getValue()) {
                    inside.add(chip(n, x + 2 * PAD, chipY, columnWidth - 4 * PAD));
                    chipEdges.put(n.name(), new Point2D[] {new Point2D(x + 2 * PAD, chipY + CHIP_HEIGHT / 2),
                            new Point2D(x + columnWidth - 2 * PAD, chipY + CHIP_HEIGHT / 2)});
                    chipY += CHIP_HEIGHT + 6;
                }
                y += boxHeight + 10;
            }
            boolean dr = idc.getKey().equals(detail.summary().drIdc());
            String role = idc.getKey().equals(detail.summary().primaryIdc()) ? (dr ? "primary IDC (DR city)" : "primary IDC")
                    : idc.getKey().equals(detail.summary().backupIdc()) ? "backup IDC"
                    : dr ? "DR IDC · async" + drLag(detail) : idc.getValue().isEmpty() ? "manager site" : "IDC";
            // a site with managers only (the quorum's third site) is drawn narrow: it holds a chip, not computers
            Rectangle region = box(x, PAD, idc.getValue().isEmpty() ? MANAGER_SITE_WIDTH : columnWidth, y - PAD + 4, "idc-region", "idc-" + idc.getKey());
            if (dr) {
                region.getStyleClass().add("idc-region-dr");
            }
            boxes.add(region);
            boxes.add(label(idc.getKey() + "  ·  " + role, x + PAD, PAD + 6, "idc-title"));
            boxes.addAll(inside);
            maxY = Math.max(maxY, y);
        }
        for (GroupView g : detail.groups()) {
            NodeView primary = g.nodes().stream().filter(n -> "primary".equals(n.role())).findFirst().orElse(null);
            if (primary == null) {
                continue;
            }
            for (NodeView standby : g.nodes()) {
                if (standby != primary) {
                    edges.addAll(edge(primary, standby));
                }
            }
        }
        getChildren().addAll(boxes);
        getChildren().addAll(edges);
        setPrefSize(2 * PAD + byIdc.size() * columnWidth + (byIdc.size() - 1) * gap - (byIdc.values().stream().anyMatch(Map::isEmpty)
                ? columnWidth - MANAGER_SITE_WIDTH : 0), maxY + PAD);
    }

    /** The DR standbys' largest lag, as the region's title says it: what a promotion of the backup city would lose now. */
    private static String drLag(ClusterDetail d) {
        long most = d.groups().stream().flatMap(g -> g.nodes().stream()).filter(n -> n.idc().equals(d.summary().drIdc()))
                .mapToLong(NodeView::lagBytes).max().orElse(-1);
        return most < 0 ? "" : ", lag " + Formats.lag(most);
    }

    /** IDC (primary first, then backup, then any other, the DR IDC last) → computer → nodes. */
    private static Map<String, Map<String, List<NodeView>>> layoutOrder(ClusterDetail d) {
        Map<String, Map<String, List<NodeView>>> byIdc = new LinkedHashMap<>();
        byIdc.put(d.summary().primaryIdc(), new TreeMap<>());
        byIdc.put(d.summary().backupIdc(), new TreeMap<>());
        for (GroupView g : d.groups()) {
            for (NodeView n : g.nodes()) {
                byIdc.computeIfAbsent(n.idc(), k -> new TreeMap<>()).computeIfAbsent(n.address(), k -> new ArrayList<>()).add(n);
            }
        }
        String dr = d.summary().drIdc();
        if (dr != null && byIdc.containsKey(dr) && !dr.equals(d.summary().primaryIdc())) {
            byIdc.put(dr, byIdc.remove(dr)); // the other city on the far side
        }
        return byIdc;
    }

    private static Rectangle box(double x, double y, double w, double h, String style, String id) {
        Rectangle r = new Rectangle(x, y, w, h);
        r.setArcWidth(12);
        r.setArcHeight(12);
        r.getStyleClass().add(style);
        r.setId(id);
        return r;
    }

    private static Label label(String text, double x, double y, String style) {
        Label l = new Label(text);
        l.relocate(x, y);
        l.getStyleClass().add(style);
        return l;
    }

    private static Label chip(NodeView n, double x, double y, double width) {
        // a standby's colour says its role, so its chip has room to say how it streams
        String role = "standby".equals(n.role()) && !replication(n).isEmpty() ? "" : "  " + n.role();
        Label chip = new Label(shortName(n) + role + "  :" + n.port() + replication(n));
        chip.setId("node-" + n.name());
        chip.getStyleClass().addAll("node-chip", "role-" + n.role());
        chip.relocate(x, y);
        chip.setPrefSize(width, CHIP_HEIGHT);
        chip.setMinSize(width, CHIP_HEIGHT);
        chip.setTooltip(new Tooltip(n.name() + "\n" + n.role() + " in " + n.idc() + " on " + n.address() + ":" + n.port()
                + "\npid " + n.pid() + "\nWAL " + (n.lsn() == null ? "-" : n.lsn()) + "\nsync " + n.syncState()
                + (n.lagBytes() >= 0 ? ", lag " + n.lagBytes() + " B" : "") + "\n" + n.dataDir()));
        return chip;
    }

    /** A standby's replication at a glance: how it streams, and how far behind when it is. */
    static String replication(NodeView n) {
        if (!"standby".equals(n.role()) || n.syncState() == null || n.syncState().isBlank() || "-".equals(n.syncState())) {
            return "";
        }
        String state = "quorum".equals(n.syncState()) ? "sync" : n.syncState();
        return "  " + state + (n.lagBytes() > 0 ? " +" + compact(n.lagBytes()) : "");
    }

    private static String compact(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        return bytes < 1024 * 1024 ? bytes / 1024 + " KiB" : bytes / (1024 * 1024) + " MiB";
    }

    private static Label managerChip(ManagerInfo m, double x, double y, double width) {
        Label chip = new Label("◆ manager " + m.id() + "   " + m.role() + "   ZooKeeper " + m.zookeeper());
        chip.setId("manager-chip-" + m.id());
        chip.getStyleClass().addAll("manager-chip", "manager-" + m.role());
        chip.relocate(x, y);
        chip.setPrefSize(width, CHIP_HEIGHT);
        chip.setMinSize(width, CHIP_HEIGHT);
        chip.setTooltip(new Tooltip("Manager " + m.id() + " (" + m.role() + ") at " + m.url() + "\npid " + m.pid()
                + "\nZooKeeper peer " + m.zookeeper() + "\nmetadata log applied to " + m.applied()));
        return chip;
    }

    /** "coordinator-1" for "sales-coordinator-1": the cluster name is on the screen already. */
    private static String shortName(NodeView n) {
        int at = n.name().indexOf(n.group() + "-");
        return at >= 0 ? n.name().substring(at) : n.name();
    }

    private List<Node> edge(NodeView primary, NodeView standby) {
        Point2D[] from = chipEdges.get(primary.name());
        Point2D[] to = chipEdges.get(standby.name());
        boolean sameColumn = Math.abs(from[0].getX() - to[0].getX()) < 1;
        Point2D start = sameColumn ? from[1] : (from[0].getX() < to[0].getX() ? from[1] : from[0]);
        Point2D end = sameColumn ? to[1] : (from[0].getX() < to[0].getX() ? to[0] : to[1]);
        double bulge = sameColumn ? 60 : (end.getX() - start.getX()) / 2;
        CubicCurve curve = new CubicCurve(start.getX(), start.getY(), start.getX() + bulge, start.getY(),
                end.getX() + (sameColumn ? bulge : -bulge), end.getY(), end.getX(), end.getY());
        curve.getStyleClass().addAll("replication-edge", "edge-" + edgeKind(standby));
        curve.setId("edge-" + standby.name());
        curve.setMouseTransparent(true);
        List<Node> parts = new ArrayList<>(List.of(curve));
        if (standby.lagBytes() > 0) {
            Label lag = label(Formats.lag(standby.lagBytes()), (start.getX() + end.getX()) / 2 + (sameColumn ? 40 : 0),
                    (start.getY() + end.getY()) / 2 - 8, "edge-lag");
            parts.add(lag);
        }
        return parts;
    }

    static String edgeKind(NodeView standby) {
        return switch (standby.syncState()) {
            case "sync", "quorum" -> "sync";
            case "async", "potential" -> "async";
            default -> "broken";
        };
    }

    private static final class Formats {
        static String lag(long bytes) {
            return bytes < 1024 ? bytes + " B" : bytes < 1 << 20 ? bytes / 1024 + " KiB" : bytes / (1 << 20) + " MiB";
        }
    }
}
