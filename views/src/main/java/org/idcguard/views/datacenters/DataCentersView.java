package org.idcguard.views.datacenters;

import javafx.collections.ListChangeListener;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.idcguard.model.Idc;
import org.idcguard.views.common.Columns;
import org.idcguard.views.common.MessageBar;
import org.idcguard.views.common.Placeholders;
import org.idcguard.views.common.ScreenHeader;

/** Data Centers: the list of IDCs with Add, Edit and Delete. */
public final class DataCentersView extends VBox {
    private final DataCentersViewModel vm;
    private final TableView<Idc> table = new TableView<>();

    public DataCentersView(DataCentersViewModel vm) {
        this.vm = vm;
        getStyleClass().add("screen");
        setSpacing(12);

        Button add = new Button("Add IDC");
        add.setId("add-idc");
        add.getStyleClass().add("accent");
        add.setOnAction(e -> openForm(vm.newIdcForm()));
        Button edit = new Button("Edit");
        edit.setId("edit-idc");
        edit.disableProperty().bind(vm.selectedProperty().isNull());
        edit.setOnAction(e -> openForm(vm.editForm(vm.selectedProperty().get())));
        Button delete = new Button("Delete");
        delete.setId("delete-idc");
        delete.getStyleClass().add("danger");
        delete.disableProperty().bind(vm.selectedProperty().isNull());
        delete.setOnAction(e -> confirmDelete(vm.selectedProperty().get()));
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> vm.refresh());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox toolbar = new HBox(8, add, edit, delete, spacer, refresh);
        toolbar.getStyleClass().add("toolbar");

        buildTable();
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(new ScreenHeader("Data Centers",
                "The IDCs your clusters span, and the city each one stands in."),
                toolbar, new MessageBar("idc-message", vm.messageProperty()), table);
    }

    private void buildTable() {
        table.setId("idc-table");
        table.setItems(vm.idcs());
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(Columns.text("Name", idc -> idc.name()));
        table.getColumns().add(Columns.text("Province", Idc::province));
        table.getColumns().add(Columns.text("City", Idc::city));
        table.getColumns().add(Columns.text("Computers", idc -> Long.toString(vm.computersIn(idc.name()))));
        table.setPlaceholder(Placeholders.emptyState(vm.inventory().loadedProperty(), "No data centers yet",
                "Add the IDCs of a city (for example IDC1 and IDC2 in Guangdong / Shenzhen), then bind computers to them."));
        vm.selectedProperty().bind(table.getSelectionModel().selectedItemProperty());
        // The computer count column depends on another list: redraw when it changes.
        vm.inventory().computers().addListener((ListChangeListener<Object>) c -> table.refresh());
        table.setRowFactory(t -> {
            var row = new javafx.scene.control.TableRow<Idc>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && !row.isEmpty()) {
                    openForm(vm.editForm(row.getItem()));
                }
            });
            return row;
        });
    }


    private void openForm(IdcFormViewModel form) {
        new IdcDialog(getScene().getWindow(), form).show();
    }

    private void confirmDelete(Idc idc) {
        java.util.Optional<String> blocker = vm.deleteBlocker(idc);
        if (blocker.isPresent()) {
            Alert refused = new Alert(Alert.AlertType.WARNING, blocker.get(), ButtonType.CLOSE);
            refused.initOwner(getScene().getWindow());
            refused.setHeaderText("IDC " + idc.name() + " cannot be deleted yet");
            refused.getDialogPane().setId("delete-idc-blocked");
            refused.showAndWait();
            return;
        }
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION,
                "Delete data center " + idc.name() + " (" + idc.province() + " / " + idc.city() + ")?",
                ButtonType.OK, ButtonType.CANCEL);
        confirm.initOwner(getScene().getWindow());
        confirm.setHeaderText("Delete IDC " + idc.name());
        confirm.showAndWait().filter(ButtonType.OK::equals).ifPresent(b -> vm.delete(idc));
    }
}
