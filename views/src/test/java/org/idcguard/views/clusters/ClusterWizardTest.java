package org.idcguard.views.clusters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.testfx.api.FxAssert.verifyThat;
import static org.testfx.matcher.control.LabeledMatchers.hasText;

import javafx.scene.control.ComboBox;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.idcguard.model.ClusterSummary;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class ClusterWizardTest {
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2")
            .withComputer("127.0.1.1", "IDC1").withComputer("127.0.1.2", "IDC1")
            .withComputer("127.0.2.1", "IDC2").withComputer("127.0.2.2", "IDC2");

    @Start
    void start(Stage stage) {
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        ConsoleStage.show(stage, new ClustersView(inventory));
    }

    @Test
    void walksEveryPageToACreatedCluster(FxRobot robot) {
        robot.clickOn("#create-cluster");
        robot.clickOn("#wizard-next");
        verifyThat("#cluster-name-error", hasText("A cluster name is required."));

        robot.clickOn("#cluster-name").write("IDC_Cluster");
        robot.clickOn("#wizard-next");
        assertTrue(robot.lookup("#purchase-intra-city").tryQuery().isPresent(), "purchase type page");
        robot.clickOn("#wizard-next");

        robot.clickOn("#wizard-next");
        verifyThat("#cluster-city-error", hasText("Choose the city of the cluster."));
        choose(robot, "#cluster-city", 0);
        choose(robot, "#cluster-primary-idc", 0);
        choose(robot, "#cluster-backup-idc", 0);
        robot.clickOn("#wizard-next");
        verifyThat("#cluster-backup-idc-error", hasText("The backup IDC must differ from the primary IDC."));
        choose(robot, "#cluster-backup-idc", 1);
        robot.clickOn("#wizard-next");

        assertTrue(robot.lookup("#placement").tryQuery().isPresent(), "computers page shows the suggested placement");
        assertTrue(robot.lookup("★ primary  127.0.1.1:15432").tryQuery().isPresent(), "coordinator primary in IDC1");
        robot.clickOn("#wizard-next");
        assertTrue(robot.lookup("#cluster-shards").tryQuery().isPresent(), "configuration page");
        robot.clickOn("#cluster-clients").write("app-host");
        robot.clickOn("#wizard-next");
        verifyThat("#cluster-clients-error", hasText("'app-host' is not a network: write an address and a prefix length, like 10.77.8.0/24."));
        robot.doubleClickOn("#cluster-clients").eraseText(8).write("10.77.8.0/24");
        robot.clickOn("#wizard-next");
        assertTrue(robot.lookup("#overview").tryQuery().isPresent(), "overview page");
        assertTrue(robot.lookup("10.77.8.0/24").tryQuery().isPresent(), "the overview names the client network");
        verifyThat("#wizard-next", hasText("Confirm"));
        robot.clickOn("#wizard-next");

        verifyThat("#wizard-outcome", hasText("Cluster IDC_Cluster created."));
        assertTrue(manager.calls().contains("createCluster IDC_Cluster"), manager.calls().toString());
        robot.clickOn("#wizard-close");
        TableView<ClusterSummary> table = robot.lookup("#cluster-table").queryTableView();
        assertEquals("IDC_Cluster", table.getItems().get(0).name());
        assertEquals(3, table.getItems().get(0).primaryNodes());
    }

    @Test
    void showsTheManagersRefusalOfAComputerChoice(FxRobot robot) {
        robot.clickOn("#create-cluster");
        robot.clickOn("#cluster-name").write("Small");
        robot.clickOn("#wizard-next");
        robot.clickOn("#wizard-next");
        choose(robot, "#cluster-city", 0);
        choose(robot, "#cluster-primary-idc", 0);
        choose(robot, "#cluster-backup-idc", 1);
        robot.clickOn("#wizard-next");
        robot.clickOn("#use-127-0-2-2");
        robot.clickOn("#wizard-next");

        verifyThat("#cluster-computers-error", hasText("IDC IDC2 has 1 reachable computers with PostgreSQL; 2 are needed."));
        assertTrue(manager.calls().stream().noneMatch(c -> c.startsWith("createCluster")));
        robot.clickOn("#wizard-close");
    }

    /** Three nodes per IDC on two computers each: the refusal names the computers, a field of an earlier page. */
    @Test
    void aRefusalAboutAnEarlierPageIsSaidOnThePageShown(FxRobot robot) {
        robot.clickOn("#create-cluster");
        robot.clickOn("#cluster-name").write("Crowded");
        robot.clickOn("#wizard-next");
        robot.clickOn("#wizard-next");
        choose(robot, "#cluster-city", 0);
        choose(robot, "#cluster-primary-idc", 0);
        choose(robot, "#cluster-backup-idc", 1);
        robot.clickOn("#wizard-next");
        robot.clickOn("#wizard-next");
        javafx.scene.control.Spinner<?> nodes = robot.lookup("#cluster-nodes-per-idc").queryAs(javafx.scene.control.Spinner.class);
        robot.interact(() -> nodes.getValueFactory().increment(1));
        robot.clickOn("#wizard-next");

        assertTrue(robot.lookup("#cluster-shards").tryQuery().isPresent(), "still on the configuration page");
        verifyThat("#wizard-error", hasText("IDC IDC1 has 2 reachable computers with PostgreSQL; 3 are needed."));
        robot.clickOn("#wizard-close");
    }

    /** Picks an item of a combo box (popups of several combos share item texts, so pick by index). */
    private static void choose(FxRobot robot, String combo, int index) {
        ComboBox<?> box = robot.lookup(combo).queryComboBox();
        robot.interact(() -> box.getSelectionModel().select(index));
    }
}
