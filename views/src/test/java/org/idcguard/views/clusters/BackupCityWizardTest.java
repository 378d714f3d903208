package org.idcguard.views.clusters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.testfx.api.FxAssert.verifyThat;
import static org.testfx.matcher.control.LabeledMatchers.hasText;

import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.DrPlan;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The backup-city promotion wizard against a fake manager: the preflight with the loss per group, a confirmation that
 * asks for the cluster's name (nothing is promoted before it is typed), then the promotion's steps.
 */
@ExtendWith(ApplicationExtension.class)
class BackupCityWizardTest {
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2").withIdc("IDC3")
            .withComputer("127.0.1.1", "IDC1").withComputer("127.0.2.1", "IDC2").withComputer("127.0.4.1", "IDC3");

    @Start
    void start(Stage stage) {
        manager.createCluster(new ClusterRequest("Sales", "cross-city", "Shenzhen", "IDC1", "IDC2", 2, 1,
                List.of("127.0.1.1", "127.0.2.1", "127.0.4.1"), null, null, null, List.of(), "IDC3", null));
        manager.mainCityLost = true;
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        ClusterDetailViewModel vm = new ClusterDetailViewModel(inventory, "Sales");
        ConsoleStage.show(stage, new ClusterDetailView(vm, () -> { }));
        vm.refresh();
    }

    @Test
    void showsTheLossAsksForTheNameThenPromotes(FxRobot robot) {
        assertTrue(robot.lookup("#cluster-summary").queryAs(Label.class).getText().contains("DR IDC IDC3"));
        robot.clickOn("#dr-promote");

        TableView<DrPlan.Move> plan = robot.lookup("#dr-plan").queryTableView();
        assertEquals(3, plan.getItems().size(), "coordinator and two shards");
        String verdict = robot.lookup("#dr-verdict").queryAs(Label.class).getText();
        assertTrue(verdict.startsWith("Estimated loss: 12.0 KiB"), verdict);
        assertTrue(verdict.contains("cut off rather than dark, it may also have acknowledged commits for up to 6.8 s"),
                "what a cut-off city acknowledged unseen is shown beside the estimate: " + verdict);
        robot.clickOn("#dr-mode-consistent");
        verdict = robot.lookup("#dr-verdict").queryAs(Label.class).getText();
        assertTrue(verdict.startsWith("Estimated loss: 24.0 KiB") && verdict.contains("at restore point idcguard_1000"), verdict);
        assertTrue(manager.calls().contains("drPlan Sales IDC3 consistent"), manager.calls().toString());
        robot.clickOn("#dr-next");

        assertTrue(robot.lookup(".outcome-warn").queryAs(Label.class).getText().contains("up to 6.8 s after the DR city last heard"),
                "the confirmation says it again");
        Button promote = robot.lookup("#dr-next").queryAs(Button.class);
        verifyThat("#dr-next", hasText("Promote IDC3"));
        assertTrue(promote.isDisabled(), "nothing is promoted before the name is typed");
        robot.clickOn("#dr-confirm-name").write("Sale");
        assertTrue(promote.isDisabled(), "a name that is not the cluster's does not confirm");
        robot.write("s");
        assertFalse(promote.isDisabled());
        assertFalse(manager.calls().stream().anyMatch(c -> c.startsWith("promoteBackupCity")), "the preflight and the typing change nothing");
        robot.clickOn("#dr-next");

        assertTrue(manager.calls().contains("promoteBackupCity Sales IDC3 consistent true"), manager.calls().toString());
        assertTrue(robot.lookup("#dr-outcome").queryAs(Label.class).getText().startsWith("Every primary of Sales is in IDC3"));
        assertEquals(4, robot.lookup("#dr-steps").queryListView().getItems().size(), "the fence and one promotion per group");
        robot.clickOn("#dr-close");
        assertTrue(robot.lookup("#dr-promote").queryAs(Button.class).isDisabled(), "the primaries stand in the DR city now");
    }
}
