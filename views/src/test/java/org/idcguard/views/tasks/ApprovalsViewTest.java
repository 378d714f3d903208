package org.idcguard.views.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The Tasks screen shows what the four-eyes rule holds; a second admin approves it there, the asker is refused. */
@ExtendWith(ApplicationExtension.class)
class ApprovalsViewTest {
    private final FakeManager manager = new FakeManager().as("ada", "admin")
            .withApproval(3, "the deletion of cluster sales", "root")
            .withApproval(4, "the DR promotion of sales to IDC3 (latest)", "ada");
    private TasksViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new TasksViewModel(new Inventory(manager, new DirectBackground()));
        ConsoleStage.show(stage, new TasksView(vm));
        vm.refresh();
    }

    @Test
    void aSecondAdminApprovesAndTheAskerIsRefused(FxRobot robot) {
        TableView<?> table = robot.lookup("#approval-table").queryAs(TableView.class);
        assertEquals(2, table.getItems().size());
        robot.interact(() -> table.getSelectionModel().select(1)); // ada's own
        robot.clickOn("#approval-approve");
        Label message = robot.lookup("#approval-message").queryAs(Label.class);
        assertTrue(message.getText().contains("may not approve it too"), message.getText());
        robot.interact(() -> table.getSelectionModel().select(0)); // root's
        robot.clickOn("#approval-approve");
        assertTrue(manager.calls().contains("approve 3"), manager.calls().toString());
        assertTrue(message.getText().startsWith("Approved: the deletion of cluster sales has started as task 7"), message.getText());
        assertEquals(1, table.getItems().size(), "only what still waits is listed");
    }
}
