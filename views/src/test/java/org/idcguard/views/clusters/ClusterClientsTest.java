package org.idcguard.views.clusters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.testfx.api.FxAssert.verifyThat;
import static org.testfx.matcher.control.LabeledMatchers.hasText;

import java.util.List;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.idcguard.model.ClusterRequest;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The cluster screen's client networks: a refusal beside the field changes nothing; a network added and removed. */
@ExtendWith(ApplicationExtension.class)
class ClusterClientsTest {
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2")
            .withComputer("127.0.1.1", "IDC1").withComputer("127.0.2.1", "IDC2");

    @Start
    void start(Stage stage) {
        manager.createCluster(new ClusterRequest("Sales", ClusterRequest.INTRA_CITY, "Shenzhen", "IDC1", "IDC2",
                null, 1, List.of("127.0.1.1", "127.0.2.1"), null, null, null));
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        ClusterDetailViewModel vm = new ClusterDetailViewModel(inventory, "Sales");
        ConsoleStage.show(stage, new ClusterDetailView(vm, () -> { }));
        vm.refresh();
    }

    @Test
    void aNetworkIsRefusedBesideTheFieldThenAddedAndRemoved(FxRobot robot) {
        assertTrue(robot.lookup("#cluster-clients").lookup(".label").queryAs(Label.class).getText().startsWith("none"));

        robot.clickOn("#add-client").write("0.0.0.0/0");
        robot.clickOn("#add-client-button");
        String refusal = robot.lookup("#clients-error").queryAs(Label.class).getText();
        assertTrue(refusal.contains("0.0.0.0/0"), refusal);
        assertEquals(List.of(), manager.clientNetworks("Sales").clients(), "a refusal changes nothing");

        javafx.scene.control.TextField field = robot.lookup("#add-client").queryAs(javafx.scene.control.TextField.class);
        assertEquals("0.0.0.0/0", field.getText(), "the refused text stays for the DBA to correct");
        robot.interact(field::clear);
        robot.clickOn(field).write("10.77.8.9/24");
        robot.type(javafx.scene.input.KeyCode.ENTER);
        verifyThat("#clients-error", hasText(""));
        assertEquals(List.of("10.77.8.0/24"), manager.clientNetworks("Sales").clients(), "written back as a network");
        assertTrue(robot.lookup("#remove-client-10-77-8-0-24").tryQuery().isPresent());

        robot.clickOn("#remove-client-10-77-8-0-24");
        assertEquals(List.of(), manager.clientNetworks("Sales").clients());
        assertTrue(robot.lookup("#remove-client-10-77-8-0-24").tryQuery().isEmpty());
    }
}
