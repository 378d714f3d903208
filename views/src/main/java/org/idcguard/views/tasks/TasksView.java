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
        getChildren().addAll(new ScreenHeader("Tasks", "Long operations the manager ran, each step recorded before it ran."), split);

        Polling.whileShown(this, Duration.seconds(2), vm::refresh);
    }
}
