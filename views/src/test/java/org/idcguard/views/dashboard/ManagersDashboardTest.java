package org.idcguard.views.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.idcguard.model.ManagerInfo;
import org.idcguard.views.alerts.AlertsViewModel;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The dashboard shows every manager of a quorum, which leads, and the quorum's health in a sentence. */
@ExtendWith(ApplicationExtension.class)
class ManagersDashboardTest {
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2");
    private DashboardViewModel vm;

    private static final List<ManagerInfo> HEALTHY = ManagersDashboardTestData.HEALTHY;

    @Start
    void start(Stage stage) {
        manager.setManagers(HEALTHY);
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        vm = new DashboardViewModel(inventory, new AlertsViewModel(inventory));
        vm.refreshManagers();
        ConsoleStage.show(stage, new DashboardView(vm));
    }

    @Test
    void showsEachManagerWithTheLeaderMarkedAndTheQuorumHealthy(FxRobot robot) {
        assertEquals(3, robot.lookup(".manager-card").queryAll().size());
        assertTrue(robot.lookup("#manager-2").query().getPseudoClassStates().stream().anyMatch(p -> p.getPseudoClassName().equals("leader")));
        assertEquals("Quorum healthy: 3 of 3 managers up; manager 2 (IDC2) leads.", health(robot).getText());
        assertTrue(health(robot).getPseudoClassStates().isEmpty(), "not in alert");
    }

    @Test
    void aManagerDownTurnsTheQuorumDegradedAndSaysWhatOneMoreLossWouldDo(FxRobot robot) {
        manager.setManagers(List.of(HEALTHY.get(0), new ManagerInfo(2, "", "", 0, "down", "down", 0),
                new ManagerInfo(3, "https://127.0.3.9:7480", "site3", 103, "leader", "leader", 41)));
        robot.interact(vm::refreshManagers);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("Quorum degraded: 2 of 3 managers up, 2 ZooKeeper peers; manager 3 (site3) leads; losing one more manager "
                + "stops every takeover.", health(robot).getText());
        Node down = robot.lookup("#manager-2").query();
        assertTrue(down.getPseudoClassStates().stream().anyMatch(p -> p.getPseudoClassName().equals("down")));
    }

    private static Label health(FxRobot robot) {
        return robot.lookup("#quorum-health").queryAs(Label.class);
    }
}
