package org.idcguard.views.audit;

import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DatePicker;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.idcguard.model.Event;
import org.idcguard.views.common.Columns;
import org.idcguard.views.common.Formats;
import org.idcguard.views.common.Placeholders;
import org.idcguard.views.common.ScreenHeader;

/** Audit: who did what, when and why; filtered, and exported as CSV for an auditor. */
public final class AuditView extends VBox {
    public AuditView(AuditViewModel vm) {
        getStyleClass().add("screen");
        setSpacing(12);
        TextField operator = new TextField();
        operator.setId("audit-operator");
        operator.setPromptText("operator");
        operator.setPrefColumnCount(9);
        operator.textProperty().bindBidirectional(vm.operatorProperty());
        TextField subject = new TextField();
        subject.setId("audit-subject");
        subject.setPromptText("cluster, IDC or computer");
        subject.setPrefColumnCount(12);
        subject.textProperty().bindBidirectional(vm.subjectProperty());
        ComboBox<String> kind = new ComboBox<>(javafx.collections.FXCollections.observableArrayList("", "switch.", "drill.", "dr.",
                "cluster.", "idc.", "computer.", "alert.", "operator.", "secret.", "settings."));
        kind.setId("audit-kind");
        kind.setEditable(true);
        kind.setPromptText("kind");
        kind.setPrefWidth(130);
        kind.valueProperty().addListener((o, was, now) -> vm.kindProperty().set(now == null ? "" : now));
        DatePicker since = new DatePicker();
        since.setId("audit-since");
        since.setPromptText("from");
        since.setPrefWidth(130);
        since.valueProperty().bindBidirectional(vm.sinceProperty());
        DatePicker until = new DatePicker();
        until.setId("audit-until");
        until.setPromptText("to");
        until.setPrefWidth(130);
        until.valueProperty().bindBidirectional(vm.untilProperty());
        Button show = new Button("Show");
        show.setId("audit-show");
        show.setDefaultButton(true);
        show.setOnAction(e -> vm.refresh());
        Button export = new Button("Export CSV");
        export.setId("audit-export");
        export.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(vm.entries()));
        export.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Export the audit trail");
            chooser.setInitialFileName("idcguard-audit.csv");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV", "*.csv"));
            java.io.File file = chooser.showSaveDialog(getScene().getWindow());
            if (file != null) {
                vm.export(file);
            }
        });
        HBox filters = new HBox(8, operator, subject, kind, since, until, show, export);
        filters.setAlignment(Pos.CENTER_LEFT);
        Label message = new Label();
        message.setId("audit-message");
        message.getStyleClass().add("screen-subtitle");
        message.textProperty().bind(vm.messageProperty());

        TableView<Event> table = new TableView<>(vm.entries());
        table.setId("audit-table");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(Columns.<Event>text("Time", e -> Formats.time(e.timeMillis()), 150));
        table.getColumns().add(Columns.<Event>text("Operator", Event::actor, 100));
        table.getColumns().add(Columns.<Event>text("Reason", e -> e.reason() == null ? "" : e.reason(), 150));
        table.getColumns().add(Columns.<Event>text("Kind", Event::kind, 150));
        table.getColumns().add(Columns.<Event>text("Subject", Event::subject, 110));
        table.getColumns().forEach(c -> c.setMaxWidth(c.getPrefWidth() * 1.4)); // the sentence takes what is left
        table.getColumns().add(Columns.<Event>text("What", Event::message, 420));
        table.setRowFactory(t -> new javafx.scene.control.TableRow<>() {
            @Override
            protected void updateItem(Event event, boolean empty) {
                super.updateItem(event, empty);
                setTooltip(empty || event == null ? null : new javafx.scene.control.Tooltip(event.message()));
            }
        });
        table.setPlaceholder(Placeholders.emptyState(vm.inventory().loadedProperty(), "No entries",
                "Every change an operator makes shows here with their name and reason: switches, drills, DR promotions, "
                        + "alerts acknowledged, passwords revealed, accounts."));
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(new ScreenHeader("Audit", "Who changed what, when and why: every change names its operator and "
                + "the reason given."), filters, message, table);
        vm.refresh();
    }
}
