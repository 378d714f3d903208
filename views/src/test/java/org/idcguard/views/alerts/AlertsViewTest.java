package org.idcguard.views.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.testfx.api.FxAssert.verifyThat;
import static org.testfx.matcher.control.LabeledMatchers.hasText;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.idcguard.model.Alert;
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

@ExtendWith(ApplicationExtension.class)
class AlertsViewTest {
    private final FakeManager manager = new FakeManager()
            .withAlert(1, "warning", "computer.unreachable", "127.0.1.2", "Computer 127.0.1.2 is unreachable: its node agent missed 2 probes in a row.")
            .withAlert(2, "critical", "idc.down", "Orders", "IDC IDC1 is down for Orders: none of its nodes answered the last probes.");
    private final List<Alert> announced = new ArrayList<>();
    private AlertsViewModel vm;

    @Start
    void start(Stage stage) {
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        vm = new AlertsViewModel(inventory);
        vm.onNewAlerts(announced::addAll);
        vm.refresh();
        ConsoleStage.show(stage, new AlertsView(vm));
    }

    @Test
    void anAlertIsListedAndAcknowledged(FxRobot robot) {
        TableView<Alert> table = robot.lookup("#alert-table").queryTableView();
        assertEquals(2, table.getItems().size());
        assertEquals("idc.down", table.getItems().get(0).kind(), "newest first");
        verifyThat("#alert-open-count", hasText("2 open alerts"));
        Button ack = robot.lookup("#alert-ack").queryButton();
        assertTrue(ack.isDisabled(), "nothing chosen yet");

        robot.clickOn("IDC IDC1 is down for Orders: none of its nodes answered the last probes.");
        robot.clickOn("#alert-ack");

        assertFalse(manager.alerts(false).stream().filter(a -> a.id() == 2).findFirst().orElseThrow().open());
        assertFalse(table.getItems().get(0).open());
        verifyThat("#alert-open-count", hasText("1 open alert"));
        assertTrue(ack.isDisabled(), "an acknowledged alert cannot be acknowledged again");
    }

    @Test
    void onlyAlertsRaisedAfterTheFirstLoadAreAnnounced(FxRobot robot) {
        assertEquals(List.of(), announced, "the alerts present at start are old news");
        manager.withAlert(3, "critical", "alert.protection-lost", "Orders/shard1", "IDC protection lost.");
        robot.interact(vm::refresh);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(3L), announced.stream().map(Alert::id).toList());
        robot.interact(vm::refresh);
        assertEquals(1, announced.size(), "announced once");
    }
}
