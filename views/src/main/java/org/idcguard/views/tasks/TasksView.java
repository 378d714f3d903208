package org.idcguard.views.tasks;

import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.idcguard.model.TaskView;
import org.idcguard.views.common.Columns;
import org.idcguard.views.common.Formats;
import org.idcguard.views.common.Placeholders;
import org.idcguard.views.common.Polling;
import org.idcguard.views.common.ScreenHeader;

/** Tasks: long operations (cluster creation and deletion), their outcome, and the steps of the chosen one. */
public final class TasksView extends VBox {
    public TasksView(TasksViewModel vm) {
        getStyleClass().add("screen");
        setSpacing(12);
        TableView<TaskView> table = new TableView<>(vm.tasks());
        table.setId("task-table");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(Columns.<TaskView>text("Started", t -> Formats.time(t.createdMillis())));
        table.getColumns().add(Columns.<TaskView>text("Operation", t -> t.kind().replace('-', ' ') + " " + t.subject()));
        table.getColumns().add(Columns.<TaskView>text("By", t -> t.operator() == null ? "manager" : t.operator()));
        table.getColumns().add(Columns.<TaskView>text("Status", TaskView::status));
        table.getColumns().add(Columns.<TaskView>text("Took", t -> t.finishedMillis() > 0
                ? String.format("%.1f s", (t.finishedMillis() - t.createdMillis()) / 1000.0) : "running"));
        table.getColumns().add(Columns.<TaskView>text("Outcome", t -> t.message() == null ? "" : t.message()));
        table.setPlaceholder(Placeholders.emptyState(vm.inventory().loadedProperty(), "No tasks yet",
                "Creating or deleting a cluster shows here, step by step."));

        ListView<TaskView.TaskStep> steps = new ListView<>();
        steps.setId("task-steps");
        steps.setPlaceholder(new Label("Choose a task to see its steps."));
        steps.setCellFactory(list -> new ListCell<>() {
            @Override
            protected void updateItem(TaskView.TaskStep step, boolean empty) {
                super.updateItem(step, empty);
                setText(empty || step == null ? null : step.ordinal() + ".  [" + step.status() + "]  " + step.name()
                        + (step.detail() == null ? "" : "  —  " + step.detail()));
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((obs, old, now) ->
                steps.getItems().setAll(now == null ? java.util.List.of() : now.steps()));
        SplitPane split = new SplitPane(table, steps);
        split.setOrientation(javafx.geometry.Orientation.VERTICAL);
        split.setDividerPositions(0.5);
        VBox.setVgrow(split, Priority.ALWAYS);
        getChildren().addAll(new ScreenHeader("Tasks", "Long operations the manager ran, each step recorded before it ran."),
                approvals(vm), split);

        Polling.whileShown(this, Duration.seconds(2), vm::refresh);
    }

    /** What the four-eyes rule holds for a second admin: shown only while something waits. */
    private static VBox approvals(TasksViewModel vm) {
        TableView<org.idcguard.model.Approval> table = new TableView<>(vm.waiting());
        table.setId("approval-table");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPrefHeight(120);
        table.getColumns().add(Columns.<org.idcguard.model.Approval>text("Asked", a -> Formats.time(a.requestedMillis())));
        table.getColumns().add(Columns.<org.idcguard.model.Approval>text("By", org.idcguard.model.Approval::requestedBy));
        table.getColumns().add(Columns.<org.idcguard.model.Approval>text("Reason", a -> a.reason() == null ? "" : a.reason()));
        table.getColumns().add(Columns.<org.idcguard.model.Approval>text("Until", a -> Formats.time(a.expiresMillis())));
        table.getColumns().add(Columns.<org.idcguard.model.Approval>text("Operation", org.idcguard.model.Approval::what));
        javafx.scene.control.Button approve = new javafx.scene.control.Button("Approve");
        approve.setId("approval-approve");
        javafx.scene.control.Button reject = new javafx.scene.control.Button("Reject");
        reject.setId("approval-reject");
        approve.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        reject.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        approve.setOnAction(e -> vm.approve(table.getSelectionModel().getSelectedItem()));
        reject.setOnAction(e -> vm.reject(table.getSelectionModel().getSelectedItem()));
        Label title = new Label("Waiting for a second admin (the four-eyes rule)");
        title.getStyleClass().add("section-title");
        Label message = new Label();
        message.setId("approval-message");
        message.setWrapText(true);
        message.textProperty().bind(vm.messageProperty());
        javafx.scene.layout.HBox actions = new javafx.scene.layout.HBox(8, approve, reject, message);
        actions.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        VBox box = new VBox(6, title, table, actions);
        box.setId("approvals");
        box.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(vm.waiting()).or(vm.messageProperty().isNotEmpty()));
        box.managedProperty().bind(box.visibleProperty());
        return box;
    }
}
