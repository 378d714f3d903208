package org.idcguard.views.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.testfx.api.FxAssert.verifyThat;
import static org.testfx.matcher.control.LabeledMatchers.hasText;

import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.idcguard.model.HaSettings;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The Settings screen shows the manager's HA settings, refuses a rule broken next to its field, and saves good ones. */
@ExtendWith(ApplicationExtension.class)
class SettingsViewTest {
    private final FakeManager manager = new FakeManager();

    @Start
    void start(Stage stage) {
        Inventory inventory = new Inventory(manager, new DirectBackground());
        ConsoleStage.show(stage, new SettingsView(new SettingsViewModel(inventory)));
    }

    @Test
    void showsTheManagersSettingsAndWhatTheyMeanTogether(FxRobot robot) {
        assertEquals("500", text(robot, "#settings-interval"));
        assertEquals("500", text(robot, "#settings-timeout"));
        assertEquals("3", text(robot, "#settings-failed"));
        assertEquals("1500", text(robot, "#settings-silence"));
        verifyThat("#settings-consequence", hasText("A node is down after 3 failed probes 500 ms apart: a failure window of 1500 ms, "
                + "then the takeover."));
    }

    @Test
    void aBrokenRuleIsSaidNextToItsFieldAndNothingIsSent(FxRobot robot) {
        replace(robot, "#settings-failed", "1");
        robot.clickOn("#settings-save");
        verifyThat("#settings-failed-error", hasText("A node must fail between 2 and 20 probes in a row before it is down, so one "
                + "slow probe never fails it over."));
        assertFalse(manager.calls().stream().anyMatch(c -> c.startsWith("updateHaSettings")), manager.calls().toString());

        replace(robot, "#settings-interval", "fast");
        robot.clickOn("#settings-save");
        verifyThat("#settings-interval-error", hasText("Enter a whole number of milliseconds."));
        assertEquals(HaSettings.DEFAULTS, manager.haSettings());
    }

    @Test
    void goodSettingsAreSaved(FxRobot robot) {
        replace(robot, "#settings-interval", "400");
        replace(robot, "#settings-timeout", "400");
        replace(robot, "#settings-failed", "4");
        robot.clickOn("#settings-save");
        assertEquals(new HaSettings(400, 400, 4, 1500), manager.haSettings());
        verifyThat("#settings-message", hasText("Saved: the manager probes with these settings from its next probe on."));
        verifyThat("#settings-consequence", hasText("A node is down after 4 failed probes 400 ms apart: a failure window of 1600 ms, "
                + "then the takeover."));
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(TextField.class).getText();
    }

    private static void replace(FxRobot robot, String id, String value) {
        robot.interact(() -> robot.lookup(id).queryAs(TextField.class).setText(value));
    }
}
