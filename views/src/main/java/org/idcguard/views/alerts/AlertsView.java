package org.idcguard.views.alerts;

import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;
import org.idcguard.model.Alert;
import org.idcguard.views.common.Columns;
import org.idcguard.views.common.Formats;
import org.idcguard.views.common.Placeholders;
import org.idcguard.views.common.ScreenHeader;

/**
 * Alerts: what the manager raised (IDC down, takeovers, protection lost and restored, nodes fenced), newest first,
 * each acknowledged once by a DBA. Open alerts are loud; acknowledged ones stay listed, faded.
 */
public final class AlertsView extends VBox {
    public AlertsView(AlertsViewModel vm) {
        getStyleClass().add("screen");
        setSpacing(12);
        TableView<Alert> table = new TableView<>(vm.alerts());
        table.setId("alert-table");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(levelColumn());
        table.getColumns().add(Columns.<Alert>text("Raised", a -> Formats.time(a.timeMillis()), 160));
        table.getColumns().add(Columns.<Alert>text("About", Alert::subject, 150));
        table.getColumns().add(Columns.<Alert>text("State", a -> a.open() ? "open"
                : "acknowledged " + Formats.time(a.ackedMillis()).substring(11) + (a.ackedBy() == null ? "" : " by " + a.ackedBy()), 210));
        table.getColumns().add(Columns.<Alert>text("What happened", Alert::message));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(Alert alert, boolean empty) {
                super.updateItem(alert, empty);
                getStyleClass().remove("alert-acknowledged");
                if (!empty && alert != null && !alert.open()) {
                    getStyleClass().add("alert-acknowledged");
                }
                // the sentence is often wider than its column: the whole of it on hover
                setTooltip(empty || alert == null ? null : new javafx.scene.control.Tooltip(alert.message()));
            }
        });
        table.setPlaceholder(Placeholders.emptyState(vm.inventory().loadedProperty(), "No alerts",
                "An IDC going down, a takeover, or IDC protection lost or restored shows here and as a notification."));
        VBox.setVgrow(table, Priority.ALWAYS);

        Button ack = new Button("Acknowledge");
        ack.setId("alert-ack");
        ack.setDefaultButton(true);
        ack.disableProperty().bind(Bindings.createBooleanBinding(() -> {
            Alert chosen = table.getSelectionModel().getSelectedItem();
            return chosen == null || !chosen.open();
        }, table.getSelectionModel().selectedItemProperty(), vm.alerts()));
        ack.setOnAction(e -> vm.acknowledge(table.getSelectionModel().getSelectedItem()));
        Label open = new Label();
        open.setId("alert-open-count");
        open.textProperty().bind(Bindings.createStringBinding(() -> vm.openCount().get() == 0 ? "No open alerts"
                : vm.openCount().get() + " open alert" + (vm.openCount().get() == 1 ? "" : "s"), vm.openCount()));
        Label problem = new Label();
        problem.setId("alert-problem");
        problem.getStyleClass().add("field-error");
        problem.textProperty().bind(vm.problemProperty());
        HBox actions = new HBox(12, ack, open, problem);
        actions.setAlignment(Pos.CENTER_LEFT);

        getChildren().addAll(new ScreenHeader("Alerts", "What the manager raised for a DBA to see, each acknowledged once."),
                actions, table);
    }

    private static TableColumn<Alert, String> levelColumn() {
        TableColumn<Alert, String> level = Columns.text("Level", Alert::level, 100);
        level.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String value, boolean empty) {
                super.updateItem(value, empty);
                getStyleClass().removeAll("alert-critical", "alert-warning", "alert-info");
                if (empty || value == null) {
                    setText(null);
                    setGraphic(null);
                    return;
                }
                setText(value);
                getStyleClass().add("alert-" + value);
                Color dot = switch (value) {
                    case "critical" -> Color.web("#cf222e");
                    case "warning" -> Color.web("#9a6700");
                    default -> Color.web("#57606a");
                };
                setGraphic(new Circle(5, dot));
            }
        });
        return level;
    }
}
