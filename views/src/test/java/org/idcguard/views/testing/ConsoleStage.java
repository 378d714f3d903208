package org.idcguard.views.testing;

import java.util.Objects;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** Mounts one component in a stage styled as the console is, and gives it focus (headless stages do not take it). */
public final class ConsoleStage {
    private ConsoleStage() {
    }

    public static void show(Stage stage, Parent root) {
        Scene scene = new Scene(root, 1100, 700);
        scene.getStylesheets().add(Objects.requireNonNull(ConsoleStage.class.getResource("/idcguard/console.css")).toExternalForm());
        stage.setScene(scene);
        stage.show();
        stage.toFront();
        stage.requestFocus();
        root.requestFocus();
    }
}
