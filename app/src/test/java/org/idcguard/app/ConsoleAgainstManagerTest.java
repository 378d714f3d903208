package org.idcguard.app;

import org.idcguard.client.HttpManagerApi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javafx.scene.Scene;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.manager.server.ManagerServer;
import org.idcguard.model.HomeLayout;
import org.idcguard.views.common.ExecutorBackground;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.shell.MainView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The whole console, wired as in production (HTTP client, background executor), against a real manager. */
@ExtendWith(ApplicationExtension.class)
class ConsoleAgainstManagerTest {
    private Path home;
    private ManagerServer manager;
    private MainView main;
    private final ExecutorBackground background = new ExecutorBackground();

    @Start
    void start(Stage stage) throws IOException {
        home = Files.createTempDirectory("idcguard-console-test-");
        manager = ManagerServer.start(new AgentHome(home), "127.0.0.1", 0);
        HttpManagerApi api = new ManagerConnection(new HomeLayout(home), null).existing().orElseThrow();
        main = new MainView(new Inventory(api, background), api.baseUrl(), ConsoleApp::save, api.whoami(), () -> { });
        Scene scene = new Scene(main, 1100, 700);
        scene.getStylesheets().add(ConsoleApp.stylesheet());
        stage.setScene(scene);
        stage.show();
        stage.requestFocus();
    }

    @AfterEach
    void stop() throws IOException {
        main.stopPolling();
        background.close();
        manager.close();
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void addsAnIdcAndShowsTheAgentsRefusalOfADuplicateNextToTheName(FxRobot robot) throws Exception {
        robot.clickOn("#nav-data-centers");
        addIdc(robot, "IDC1");
        TableView<?> table = robot.lookup("#idc-table").queryTableView();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 1);

        addIdc(robot, "idc1");
        Labeled error = robot.lookup("#idc-name-error").queryLabeled();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !error.getText().isEmpty());
        assertEquals("An IDC named idc1 already exists.", error.getText());
        robot.clickOn("Cancel");
        assertEquals(1, table.getItems().size());
    }

    private static void addIdc(FxRobot robot, String name) {
        robot.clickOn("#add-idc");
        robot.clickOn("#idc-name").write(name);
        robot.clickOn("#idc-province").write("Guangdong");
        robot.clickOn("#idc-city").write("Shenzhen");
        robot.clickOn("#idc-confirm");
    }
}
