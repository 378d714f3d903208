package org.idcguard.views.clusters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.testfx.api.FxAssert.verifyThat;
import static org.testfx.matcher.control.LabeledMatchers.hasText;

import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.SwitchPlan;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The IDC Switch wizard against a fake manager: target, preflight and plan, confirm, progress; and a blocked plan. */
@ExtendWith(ApplicationExtension.class)
class IdcSwitchWizardTest {
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2")
            .withComputer("127.0.1.1", "IDC1").withComputer("127.0.1.2", "IDC1")
            .withComputer("127.0.2.1", "IDC2").withComputer("127.0.2.2", "IDC2");

    @Start
    void start(Stage stage) {
        manager.createCluster(new ClusterRequest("Sales", ClusterRequest.INTRA_CITY, "Shenzhen", "IDC1", "IDC2",
                null, null, java.util.List.of("127.0.1.1", "127.0.1.2", "127.0.2.1", "127.0.2.2"), null, null, null));
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        ClusterDetailViewModel vm = new ClusterDetailViewModel(inventory, "Sales");
        ConsoleStage.show(stage, new ClusterDetailView(vm, () -> { }));
        vm.refresh();
    }

    @Test
    void previewsThePlanThenSwitchesAndShowsTheSteps(FxRobot robot) {
        robot.clickOn("#idc-switch");
        verifyThat("#switch-next", hasText("Next"));
        robot.clickOn("#switch-next");

        TableView<SwitchPlan.GroupMove> plan = robot.lookup("#switch-plan").queryTableView();
        assertEquals(3, plan.getItems().size(), "coordinator and two shards");
        assertTrue(robot.lookup("#switch-verdict").queryAs(Label.class).getText().startsWith("Ready: 3 group(s) move from IDC1 to IDC2"));
        assertFalse(manager.calls().stream().anyMatch(c -> c.startsWith("startSwitch")), "a plan changes nothing");
        verifyThat("#switch-next", hasText("Confirm switch"));
        robot.clickOn("#switch-next");

        verifyThat("#switch-outcome", hasText("Every primary of Sales is in IDC2."));
        assertTrue(manager.calls().contains("startSwitch Sales IDC2"), manager.calls().toString());
        assertEquals(3, robot.lookup("#switch-steps").queryListView().getItems().size());
        robot.clickOn("#switch-close");
        assertTrue(robot.lookup("#cluster-summary").queryAs(Label.class).getText().contains("primary IDC IDC2, backup IDC IDC1"),
                "the cluster screen shows the IDCs swapped");
    }

    @Test
    void afterNextTheFocusIsNeverOnCloseAndTheProgressBarIsABarThatFills(FxRobot robot) {
        robot.clickOn("#idc-switch");
        robot.clickOn("#switch-next");
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
        assertFalse(robot.lookup("#switch-close").queryButton().isFocused(), "Enter would close the wizard");
        assertEquals(java.util.List.of(), cutOff(robot, ".table-cell"), "plan cells cut off");
        robot.clickOn("#switch-next");

        verifyThat("#switch-outcome", hasText("Every primary of Sales is in IDC2."));
        javafx.scene.control.ProgressBar bar = robot.lookup(".progress-bar").queryAs(javafx.scene.control.ProgressBar.class);
        assertTrue(bar.getHeight() >= 12, "a bar, not a line: " + bar.getHeight() + " px");
        assertEquals(1.0, bar.getProgress(), 1e-9, "full once the switch is done");
        assertEquals(java.util.List.of(), cutOff(robot, "#switch-steps .list-cell"), "step lines cut off");
        robot.clickOn("#switch-close");
    }

    @Test
    void aBlockedPreflightSaysWhyAndCannotBeConfirmed(FxRobot robot) {
        manager.switchBlocker = "not every standby in IDC2 is ready (sales-shard1-3 is not streaming).";
        robot.clickOn("#idc-switch");
        robot.clickOn("#switch-next");

        String verdict = robot.lookup("#switch-verdict").queryAs(Label.class).getText();
        assertTrue(verdict.contains("sales-shard1-3 is not streaming"), verdict);
        assertTrue(robot.lookup("#switch-next").queryAs(Button.class).isDisabled(), "Confirm is disabled while blocked");
        assertTrue(robot.lookup("#switch-recheck").tryQuery().isPresent());

        manager.switchBlocker = null;
        robot.clickOn("#switch-recheck");
        assertFalse(robot.lookup("#switch-next").queryAs(Button.class).isDisabled(), "cleared after checking again");
        assertFalse(manager.calls().stream().anyMatch(c -> c.startsWith("startSwitch")));
    }

    /** Cells whose text is drawn shortened (an ellipsis instead of its end): the DBA cannot read them. */
    private static java.util.List<String> cutOff(FxRobot robot, String cells) {
        java.util.List<String> cut = new java.util.ArrayList<>();
        for (javafx.scene.Node n : robot.lookup(cells).queryAll()) {
            if (n instanceof javafx.scene.control.Labeled cell && cell.getText() != null && !cell.getText().isEmpty() && cell.isVisible()) {
                cell.lookupAll(".text").stream().filter(t -> t instanceof javafx.scene.text.Text)
                        .map(t -> ((javafx.scene.text.Text) t).getText())
                        .filter(shown -> !shown.replace("\n", " ").replaceAll("\\s+", " ").trim()
                                .equals(cell.getText().replace("\n", " ").replaceAll("\\s+", " ").trim()))
                        .forEach(shown -> cut.add(cell.getText() + " shown as " + shown));
            }
        }
        return cut;
    }
}
