package org.idcguard.views.clusters;

import javafx.beans.property.ObjectProperty;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.idcguard.model.TaskView;

/** A wizard's last page: a task's progress bar, its outcome in a sentence, and its steps as they run. */
final class TaskProgressPane extends VBox {

    /** @param idPrefix "switch" or "dr": the ids tests find the parts by ("switch-outcome", "switch-steps") */
    TaskProgressPane(ObjectProperty<TaskView> task, String idPrefix, String working) {
        super(10);
        ProgressBar bar = new ProgressBar();
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.setMinHeight(18);
        Label outcome = new Label();
        outcome.setId(idPrefix + "-outcome");
        outcome.setWrapText(true);
        outcome.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        ListView<TaskView.TaskStep> steps = new ListView<>();
        steps.setId(idPrefix + "-steps");
        steps.setCellFactory(list -> new ListCell<>() {
            @Override
            protected void updateItem(TaskView.TaskStep step, boolean empty) {
                super.updateItem(step, empty);
                getStyleClass().removeAll("step-done", "step-running", "step-failed");
                if (empty || step == null) {
                    setText(null);
                    return;
                }
                String mark = switch (step.status()) {
                    case "done" -> "✓";
                    case "running" -> "…";
                    case "failed" -> "✗";
                    default -> "·";
                };
                String time = step.finishedMillis() > 0 ? String.format("  %.1f s", (step.finishedMillis() - step.startedMillis()) / 1000.0) : "";
                setText(mark + "  " + step.name() + time + (step.detail() == null || step.detail().isBlank() ? "" : "  —  " + step.detail()));
                setWrapText(true);
                getStyleClass().add("step-" + step.status());
                setPrefWidth(0); // wrap within the list's width instead of widening the cell
            }
        });
        Runnable update = () -> {
            TaskView t = task.get();
            if (t == null) {
                return;
            }
            steps.getItems().setAll(t.steps());
            bar.setProgress(t.ended() ? 1 : t.progress());
            outcome.setText(t.ended() ? t.message() : working + ": " + Math.round(t.progress() * 100) + " % of the steps done.");
            outcome.getStyleClass().removeAll("field-error", "outcome-ok");
            if (t.ended()) {
                outcome.getStyleClass().add("succeeded".equals(t.status()) ? "outcome-ok" : "field-error");
            }
        };
        task.addListener((obs, old, now) -> update.run());
        update.run();
        VBox.setVgrow(steps, Priority.ALWAYS);
        getChildren().addAll(bar, outcome, steps);
    }
}
