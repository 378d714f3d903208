package org.idcguard.views.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.idcguard.model.Alert;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.ClusterUris;
import org.idcguard.model.DrillReport;
import org.idcguard.model.DrillRound;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/** What the dashboard says about one cluster: protection per group, the last drill, its own open alerts. */
class ClusterGlanceTest {

    @Test
    void aGroupWhoseCommitsWaitOnlyInItsOwnIdcIsNotProtected() {
        GroupView covered = group("shard1", List.of("o-shard1-3"));
        GroupView local = group("shard2", List.of("o-shard2-2"));
        DrillRound round = new DrillRound(1, "power-off", "IDC1", 1_999, 0, 463, 12, 2_327, 2_034, 23_692, true, "");
        DrillReport drill = new DrillReport(4, "Orders", "power-off", "IDC1", 0, 1, List.of(round), List.of());
        List<Alert> alerts = List.of(new Alert(1, 1, 0, "critical", "alert.protection-lost", "Orders/shard2", "lost", 0),
                new Alert(2, 2, 0, "critical", "idc.down", "Other", "down", 0),
                new Alert(3, 3, 0, "critical", "idc.down", "Orders", "down", 5));

        ClusterGlance both = ClusterGlance.of(detail(covered, local), Optional.of(drill), alerts);
        assertEquals("IDC protection lost in 1 of 2 groups", both.protection());
        assertEquals("#4 passed, worst RTO 1,999 ms, RPO 0 (power-off of IDC1)", both.lastDrill());
        assertEquals(1, both.openAlerts(), "its own open alerts only: not another cluster's, not acknowledged ones");
        assertFalse(both.healthy());

        ClusterGlance fine = ClusterGlance.of(detail(covered), Optional.empty(), List.of());
        assertEquals("protected across IDCs", fine.protection());
        assertEquals("never drilled", fine.lastDrill());
        assertTrue(fine.healthy());
    }

    private static GroupView group(String name, List<String> sync) {
        return new GroupView(name, "shard", sync, 1, List.of(
                node("o-" + name + "-1", name, "IDC1", "primary"), node("o-" + name + "-2", name, "IDC1", "standby"),
                node("o-" + name + "-3", name, "IDC2", "standby")));
    }

    private static NodeView node(String name, String group, String idc, String role) {
        return new NodeView(name, group, idc, "10.0.0.1", 5432, role, 1, "", "", 0, "0/0");
    }

    private static ClusterDetail detail(GroupView... groups) {
        return new ClusterDetail(new ClusterSummary("Orders", "intra-city", "Shenzhen", "IDC1", "IDC2", "running", groups.length, 2, 1, 2),
                "app", "app", "available", List.of(groups), new ClusterUris("", ""));
    }
}
