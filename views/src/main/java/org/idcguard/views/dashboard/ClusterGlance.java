package org.idcguard.views.dashboard;

import java.util.List;
import java.util.Optional;
import org.idcguard.model.Alert;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.DrillReport;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;

/**
 * One cluster at a glance: where its primaries are, whether every group's commits wait for another IDC, how its last
 * drill went and how many of its alerts are open.
 */
public record ClusterGlance(String name, String city, String primaryIdc, String backupIdc, String protection, String lastDrill,
                            long openAlerts) {

    static ClusterGlance of(ClusterDetail detail, Optional<DrillReport> lastDrill, List<Alert> alerts) {
        String name = detail.summary().name();
        long open = alerts.stream().filter(Alert::open).filter(a -> a.subject().equals(name) || a.subject().startsWith(name + "/")).count();
        return new ClusterGlance(name, detail.summary().city(), detail.summary().primaryIdc(), detail.summary().backupIdc(),
                protection(detail), lastDrill.map(ClusterGlance::drill).orElse("never drilled"), open);
    }

    /** Protected when every group's commits wait for a standby in another IDC than its primary's. */
    static String protection(ClusterDetail detail) {
        if (!"running".equals(detail.summary().status())) {
            return detail.summary().status();
        }
        long unprotected = detail.groups().stream().filter(g -> !protectedAcrossIdcs(g)).count();
        return unprotected == 0 ? "protected across IDCs"
                : "IDC protection lost in " + unprotected + " of " + detail.groups().size() + " groups";
    }

    private static boolean protectedAcrossIdcs(GroupView g) {
        Optional<NodeView> primary = g.nodes().stream().filter(n -> "primary".equals(n.role())).findFirst();
        return primary.isPresent() && g.nodes().stream()
                .anyMatch(n -> g.syncSet().contains(n.name()) && !n.idc().equals(primary.get().idc()));
    }

    private static String drill(DrillReport r) {
        return "#" + r.id() + " " + (r.passed() ? "passed" : "FAILED") + ", worst RTO " + String.format("%,d ms", r.worstRtoMillis())
                + ", RPO " + r.lostWrites()
                + " (" + r.fault() + " of " + r.idc() + ")";
    }

    public boolean healthy() {
        return protection.equals("protected across IDCs") && openAlerts == 0;
    }
}
