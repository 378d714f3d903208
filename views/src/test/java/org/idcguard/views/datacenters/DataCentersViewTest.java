package org.idcguard.views.datacenters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.testfx.api.FxAssert.verifyThat;
import static org.testfx.matcher.control.LabeledMatchers.hasText;

import javafx.scene.control.ComboBox;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.idcguard.model.CityCatalog;
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

@ExtendWith(ApplicationExtension.class)
class DataCentersViewTest {
    private final FakeManager manager = new FakeManager().withIdc("IDC9").withIdc("IDC8")
            .withComputer("10.0.8.1", "IDC8").withComputer("10.0.8.2", "IDC8");
    private Inventory inventory;

    @Start
    void start(Stage stage) {
        inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        ConsoleStage.show(stage, new DataCentersView(new DataCentersViewModel(inventory, CityCatalog.bundled())));
    }

    @Test
    void addsAnIdcWithProvinceThenCity(FxRobot robot) {
        robot.clickOn("#add-idc");
        robot.clickOn("#idc-name").write("IDC1");
        robot.clickOn("#idc-province").write("Guangdong");
        robot.clickOn("#idc-city").write("Shenzhen");
        robot.clickOn("#idc-confirm");

        assertEquals(new Idc("IDC1", "Guangdong", "Shenzhen"), manager.idc("IDC1"));
        TableView<Idc> table = robot.lookup("#idc-table").queryTableView();
        assertEquals(3, table.getItems().size());
        assertEquals("IDC1", table.getItems().get(0).name());
        assertEquals(0, robot.lookup("#idc-confirm").queryAll().size(), "the dialog closes once saved");
    }

    @Test
    void offersOnlyTheCitiesOfTheChosenProvince(FxRobot robot) {
        robot.clickOn("#add-idc");
        robot.clickOn("#idc-province").write("Zhejiang");
        ComboBox<String> city = robot.lookup("#idc-city").queryComboBox();
        assertFalse(city.isDisabled());
        assertEquals("Hangzhou", city.getItems().get(0));
        robot.clickOn("Cancel");
    }

    @Test
    void showsTheManagersRefusalNextToTheNameField(FxRobot robot) {
        addTheExistingIdc9(robot);
        verifyThat("#idc-name-error", hasText("An IDC named IDC9 already exists."));
        assertNotNull(robot.lookup("#idc-confirm").query(), "the dialog stays open so the DBA can correct the name");
        assertEquals(2, manager.idcs().size());
        robot.clickOn("Cancel");
    }

    @Test
    void aRefusalIsForgottenOnceItsFieldIsCorrected(FxRobot robot) {
        addTheExistingIdc9(robot);
        verifyThat("#idc-name-error", hasText("An IDC named IDC9 already exists."));

        robot.clickOn("#idc-name").write("0");
        verifyThat("#idc-name-error", hasText(""));
        robot.clickOn("Cancel");
        assertEquals(2, manager.idcs().size());
    }

    @Test
    void deletingAnIdcWithComputersBoundNamesThemAndAsksNothing(FxRobot robot) {
        robot.clickOn("IDC8");
        robot.clickOn("#delete-idc");
        javafx.scene.control.DialogPane blocked = robot.lookup("#delete-idc-blocked").queryAs(javafx.scene.control.DialogPane.class);
        assertEquals("IDC IDC8 still has 2 computers bound to it (10.0.8.1, 10.0.8.2): unbind them on the Computers screen "
                + "first.", blocked.getContentText());
        robot.clickOn("Close");
        assertFalse(manager.calls().stream().anyMatch(c -> c.startsWith("deleteIdc")), manager.calls().toString());
        assertNotNull(manager.idc("IDC8"));
    }

    @Test
    void refusesACityOfAnotherProvinceBeforeAskingTheManager(FxRobot robot) {
        robot.clickOn("#add-idc");
        robot.clickOn("#idc-name").write("IDC2");
        robot.clickOn("#idc-province").write("Guangdong");
        robot.clickOn("#idc-city").write("Hangzhou");
        robot.clickOn("#idc-confirm");

        verifyThat("#idc-city-error", hasText("'Hangzhou' is not a city of Guangdong."));
        assertEquals(java.util.List.of(), manager.calls());
        assertNull(manager.idc("IDC2"));
        robot.clickOn("Cancel");
    }

    /** Fills the Add IDC form with a name the manager already has, and confirms: the manager refuses. */
    private static void addTheExistingIdc9(FxRobot robot) {
        robot.clickOn("#add-idc");
        robot.clickOn("#idc-name").write("IDC9");
        robot.clickOn("#idc-province").write("Guangdong");
        robot.clickOn("#idc-city").write("Shenzhen");
        robot.clickOn("#idc-confirm");
    }
}
