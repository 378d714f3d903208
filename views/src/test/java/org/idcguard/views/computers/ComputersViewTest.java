package org.idcguard.views.computers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.testfx.api.FxAssert.verifyThat;
import static org.testfx.matcher.control.LabeledMatchers.hasText;

import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.stage.Stage;
import org.idcguard.model.ApiException;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.idcguard.views.testing.MonocleDrag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class ComputersViewTest {
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2")
            .withComputer("127.0.1.1", null).withComputer("127.0.1.2", null).withComputer("127.0.2.1", "IDC2");

    @Start
    void start(Stage stage) {
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        ConsoleStage.show(stage, new ComputersView(new ComputersViewModel(inventory)));
    }

    @BeforeEach
    void resetDrag() {
        MonocleDrag.reset();
    }

    @Test
    void bindsAComputerByDraggingItsCardOntoAnIdcLane(FxRobot robot) {
        robot.clickOn("IDC binding board");
        robot.drag("#card-127-0-1-1").dropTo("#lane-IDC1");

        assertEquals("IDC1", manager.computer("127.0.1.1").idc());
        Node lane = robot.lookup("#lane-IDC1").queryAs(Node.class);
        assertTrue(robot.from(lane).lookup("#card-127-0-1-1").tryQuery().isPresent(), "the card now stands in IDC1's lane");
        assertTrue(robot.from(robot.lookup("#lane-unbound").queryAs(Node.class)).lookup("#card-127-0-1-1").tryQuery().isEmpty());
    }

    @Test
    void unbindsByDraggingBackToTheUnboundLane(FxRobot robot) {
        robot.clickOn("IDC binding board");
        robot.drag("#card-127-0-2-1").dropTo("#lane-unbound");

        assertNull(manager.computer("127.0.2.1").idc());
    }

    @Test
    void aRefusedDropIsShownAndTheCardGoesBack(FxRobot robot) {
        manager.refuseNextBind(new ApiException(409, "Computer 127.0.1.2 hosts database nodes: delete that cluster first.", "idc"));
        robot.clickOn("IDC binding board");
        robot.drag("#card-127-0-1-2").dropTo("#lane-IDC2");

        verifyThat("#computer-message", hasText("Computer 127.0.1.2 hosts database nodes: delete that cluster first."));
        assertNull(manager.computer("127.0.1.2").idc());
        assertTrue(robot.from(robot.lookup("#lane-unbound").queryAs(Node.class)).lookup("#card-127-0-1-2").tryQuery().isPresent());
    }

    @Test
    void bindsSelectedComputersThroughTheUpdateIdcDialog(FxRobot robot) {
        selectRow(robot, "127.0.1.2");
        robot.clickOn("#update-idc");
        ComboBox<?> idc = robot.lookup("#update-idc-choice").queryComboBox();
        robot.clickOn(idc);
        robot.clickOn("IDC2  (Guangdong / Shenzhen)");
        robot.clickOn("#update-idc-confirm");

        assertEquals("IDC2", manager.computer("127.0.1.2").idc());
        assertNull(manager.computer("127.0.1.1").idc(), "only the ticked computer moves");
    }

    @Test
    void updateIdcDialogAsksForAnIdcFirst(FxRobot robot) {
        selectRow(robot, "127.0.1.2");
        robot.clickOn("#update-idc");
        robot.clickOn("#update-idc-confirm");

        verifyThat("#update-idc-choice-error", hasText("Choose the IDC to bind the computers to, or none to unbind them."));
        assertTrue(manager.calls().isEmpty());
        robot.clickOn("Cancel");
    }

    /** Clicks the address cell of the computer list (the board's hidden cards carry the same text). */
    private static void selectRow(FxRobot robot, String address) {
        Node table = robot.lookup("#computer-table").queryAs(Node.class);
        robot.clickOn(robot.from(table).lookup(org.testfx.matcher.control.LabeledMatchers.hasText(address)).queryAs(Node.class));
    }
}
