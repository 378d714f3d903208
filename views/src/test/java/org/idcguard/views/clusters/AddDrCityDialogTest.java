package org.idcguard.views.clusters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.Idc;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Adding a DR city to a running cluster from its screen: only IDCs of other cities are offered, a missing choice is said next to the field. */
@ExtendWith(ApplicationExtension.class)
class AddDrCityDialogTest {
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2").withIdc("IDC4")
            .withComputer("127.0.1.1", "IDC1").withComputer("127.0.2.1", "IDC2");

    @Start
    void start(Stage stage) {
        manager.addIdc(new Idc("IDC3", "Guangdong", "Guangzhou"));
        manager.createCluster(new ClusterRequest("Sales", ClusterRequest.INTRA_CITY, "Shenzhen", "IDC1", "IDC2", 1, 1,
                List.of("127.0.1.1", "127.0.2.1"), null, null, null));
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        ClusterDetailViewModel vm = new ClusterDetailViewModel(inventory, "Sales");
        ConsoleStage.show(stage, new ClusterDetailView(vm, () -> { }));
        vm.refresh();
    }

    @Test
    void offersOtherCitiesAndAddsTheDrCity(FxRobot robot) {
        assertFalse(robot.lookup("#dr-promote").queryButton().isVisible(), "no DR city yet: nothing to promote");
        robot.clickOn("#dr-add");
        robot.clickOn("#dr-add-confirm");
        assertEquals("Choose the DR IDC, in another city.", robot.lookup("#dr-add-error").queryAs(Label.class).getText());
        assertFalse(manager.calls().stream().anyMatch(c -> c.startsWith("addDrCity")), "nothing asked without an IDC");
        assertEquals(List.of("IDC3"), robot.lookup("#dr-add-idc").queryComboBox().getItems(), "only IDCs of another city");

        robot.clickOn("#dr-add-idc").clickOn("IDC3");
        robot.clickOn("#dr-add-confirm");
        assertTrue(manager.calls().contains("addDrCity Sales IDC3 1"), manager.calls().toString());
        assertTrue(robot.lookup("#dr-add-confirm").tryQuery().isEmpty(), "the dialog closed once the manager accepted");
        assertTrue(robot.lookup("#cluster-summary").queryAs(Label.class).getText().contains("DR IDC IDC3"));
        assertTrue(robot.lookup("#dr-promote").queryButton().isVisible());
        assertFalse(robot.lookup("#dr-add").queryButton().isVisible());
    }
}
