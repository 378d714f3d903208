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
        double[] size = windowSize(getParameters().getNamed().get("window"));
        Scene scene = new Scene(new VBox(), size[0], size[1]);
        scene.getStylesheets().add(stylesheet());
        stage.setScene(scene);
        stage.show();
        connect();
    }

    /** The first window's size: {@code --window=WIDTHxHEIGHT} (at least 1024x700), else 1200x780. */
    static double[] windowSize(String wanted) {
        if (wanted != null) {
            var m = java.util.regex.Pattern.compile("(\\d{3,5})x(\\d{3,5})").matcher(wanted);
            if (m.matches() && Integer.parseInt(m.group(1)) >= 1024 && Integer.parseInt(m.group(2)) >= 700) {
                return new double[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
            }
            System.err.println("--window wants WIDTHxHEIGHT of at least 1024x700, such as 1600x1000; opening at 1200x780.");
        }
        return new double[] {1200, 780};
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
        background.run("Connecting", () -> {
            var api = connection.connectOrStart();
            return new Connected(api, whoami(api));
        }, connected -> {
            if (connected.me() == null) {
                login(connected.api().baseUrl(), null);
            } else {
                showMain(connected.api(), connected.me());
            }
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

    /** A manager reached, and who it takes the home's credential for (null: nobody, or a session that ran out). */
    private record Connected(org.idcguard.client.HttpManagerApi api, org.idcguard.model.Whoami me) {
    }

    private static org.idcguard.model.Whoami whoami(org.idcguard.client.HttpManagerApi api) {
        try {
            return api.whoami();
        } catch (org.idcguard.model.ApiException e) {
            if (e.status() == 401) {
                return null; // no credential here, or a session that ended: ask who is there
            }
            throw e;
        }
    }

    /** Asks who is at the console; a session the manager grants is kept in the home (0600) for the next start. */
    private void login(String url, String why) {
        var view = new org.idcguard.views.shell.LoginView(url, background,
                request -> {
                    var session = org.idcguard.client.HttpManagerApi.login(url,
                            org.idcguard.model.ManagerTrust.sslContext(connection.home().caCertificateFile()), request);
                    try {
                        connection.home().writeSession(session.token());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException("Cannot keep the session in " + connection.home().root() + ": "
                                + e.getMessage(), e);
                    }
                    return session;
                },
                session -> showMain(connection.as(url, session.token()),
                        new org.idcguard.model.Whoami(session.name(), session.role())));
        if (why != null) {
            view.errors().general().set(why);
        }
        stage.getScene().setRoot(view);
    }

    private void showMain(org.idcguard.client.HttpManagerApi api, org.idcguard.model.Whoami me) {
        main = new MainView(new Inventory(api, background), api.baseUrl(), ConsoleApp::save, me, () -> logOut(api));
        stage.getScene().setRoot(main);
        System.out.println("Connected to the manager at " + api.baseUrl() + " as " + me.name() + " (" + me.role() + ")."); // for whoever started it from a shell
    }

    /** Ends the session at the manager and here, then asks who is at the console. */
    private void logOut(org.idcguard.client.HttpManagerApi api) {
        main.stopPolling();
        main = null;
        String url = api.baseUrl();
        background.run("Logging out", () -> {
            try {
                api.logout();
            } finally {
                connection.home().deleteSession();
            }
            return url;
        }, done -> login(done, "Logged out."), failure -> login(url, "Logged out here; the manager was not reached: "
                + Failures.sentence(failure)));
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
