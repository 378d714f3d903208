package org.idcguard.views.common;

import javafx.beans.value.ObservableStringValue;
import javafx.geometry.HPos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

/** A two-column form: label, input, and under the input the sentence about it (hidden while empty). */
public final class FormLayout {
    private final GridPane grid = new GridPane();
    private int row;

    public FormLayout() {
        grid.getStyleClass().add("form");
        grid.setHgap(12);
        grid.setVgap(4);
        ColumnConstraints labels = new ColumnConstraints();
        labels.setHalignment(HPos.RIGHT);
        labels.setMinWidth(110);
        ColumnConstraints inputs = new ColumnConstraints();
        inputs.setHgrow(Priority.ALWAYS);
        inputs.setMinWidth(260);
        grid.getColumnConstraints().addAll(labels, inputs);
    }

    /** Adds a row; the error label gets the id {@code <id>-error} so tests and screen readers can find it. */
    public FormLayout field(String labelText, String id, Node input, ObservableStringValue error) {
        Label label = new Label(labelText);
        label.setLabelFor(input);
        input.setId(id);
        Label message = new Label();
        message.setId(id + "-error");
        message.getStyleClass().add("field-error");
        message.setWrapText(true);
        message.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        message.setMaxWidth(360);
        message.textProperty().bind(error);
        message.visibleProperty().bind(message.textProperty().isNotEmpty());
        message.managedProperty().bind(message.visibleProperty());
        grid.add(label, 0, row);
        grid.add(input, 1, row++);
        grid.add(message, 1, row++);
        return this;
    }

    /** Makes the dialog grow or shrink to fit when a message appears or goes, so no button is pushed out of sight. */
    public static void fitDialogTo(javafx.scene.control.Dialog<?> dialog, FieldErrors errors) {
        errors.onChange(() -> javafx.application.Platform.runLater(() -> {
            if (dialog.getDialogPane().getScene() != null) {
                dialog.getDialogPane().getScene().getWindow().sizeToScene();
            }
        }));
    }

    public GridPane build() {
        return grid;
    }
}
