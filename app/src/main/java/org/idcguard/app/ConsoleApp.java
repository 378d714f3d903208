package org.idcguard.app;

import java.util.Objects;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.idcguard.views.common.ExecutorBackground;
import org.idcguard.views.common.Failures;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.shell.MainView;

/** The desktop console: connects (or starts the bundled manager) in the background, then shows the main view. */
public final class ConsoleApp extends Application {
    private final ExecutorBackground background = new ExecutorBackground();
    private final ManagerConnection connection = ManagerConnection.fromEnvironment();
    private Stage stage;
    private MainView main;

    @Override
    public void start(Stage primaryStage) {
        stage = primaryStage;
        // A console ended by a signal never reaches stop(): still stop the agents it started.
        Runtime.getRuntime().addShutdownHook(new Thread(connection::stopBundled, "stop-bundled-agents"));
        stage.setTitle("IDC Guard");
        Scene scene = new Scene(new VBox(), 1200, 780);
        scene.getStylesheets().add(stylesheet());
        stage.setScene(scene);
        stage.show();
        connect();
    }

    static String stylesheet() {
        return Objects.requireNonNull(ConsoleApp.class.getResource("/idcguard/console.css"), "console.css").toExternalForm();
    }

    private void connect() {
        Label title = new Label("IDC Guard");
        title.getStyleClass().add("splash-title");
        Label what = new Label("Connecting to the manager of " + connection.home().root() + " …\n"
                + "If none is running, the bundled manager and the local computers are started.");
        what.setWrapText(true);
        ProgressIndicator spinner = new ProgressIndicator();
        VBox splash = new VBox(title, spinner, what);
        splash.getStyleClass().add("splash");
        stage.getScene().setRoot(splash);
        background.run("Connecting", connection::connectOrStart, api -> {
            main = new MainView(new Inventory(api, background), api.baseUrl(), ConsoleApp::save);
            stage.getScene().setRoot(main);
            System.out.println("Connected to the manager at " + api.baseUrl() + "."); // for whoever started it from a shell
        }, failure -> {
            System.err.println(Failures.sentence(failure));
            spinner.setVisible(false);
            what.setText(Failures.sentence(failure));
            what.getStyleClass().add("field-error");
            Button retry = new Button("Retry");
            retry.setOnAction(e -> connect());
            splash.getChildren().add(retry);
        });
    }

    @Override
    public void stop() {
        if (main != null) {
            main.stopPolling();
        }
        background.close();
        connection.stopBundled();
    }

    /** What the views export is written here, on the background executor. */
    static void save(java.io.File target, byte[] content) throws java.io.IOException {
        java.nio.file.Files.write(target.toPath(), content);
    }
}
