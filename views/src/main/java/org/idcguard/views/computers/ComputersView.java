package org.idcguard.views.computers;

import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.idcguard.model.Computer;
import org.idcguard.model.ComputerStatus;
import org.idcguard.views.common.Columns;
import org.idcguard.views.common.Formats;
import org.idcguard.views.common.MessageBar;
import org.idcguard.views.common.Placeholders;
import org.idcguard.views.common.ScreenHeader;

/** Computers: the list with status and resources, "Update IDC", and the drag-and-drop IDC board. */
public final class ComputersView extends VBox {
    private final ComputersViewModel vm;
    private final TableView<Computer> table = new TableView<>();

    public ComputersView(ComputersViewModel vm) {
        this.vm = vm;
        getStyleClass().add("screen");
        setSpacing(12);

        Button add = new Button("Add computer");
        add.setId("add-computer");
        add.setOnAction(e -> new AddComputerDialog(getScene().getWindow(), vm).show());
        Button updateIdc = new Button("Update IDC");
        updateIdc.setId("update-idc");
        updateIdc.getStyleClass().add("accent");
        updateIdc.setOnAction(e -> new UpdateIdcDialog(getScene().getWindow(), vm,
                table.getSelectionModel().getSelectedItems()).show());
        Button remove = new Button("Remove");
        remove.setId("remove-computer");
        remove.getStyleClass().add("danger");
        remove.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        remove.setOnAction(e -> confirmRemove(table.getSelectionModel().getSelectedItem()));
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> vm.inventory().refresh());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox toolbar = new HBox(8, updateIdc, add, remove, spacer, refresh);
        toolbar.getStyleClass().add("toolbar");

        buildTable();
        Tab list = new Tab("Computer list", table);
        list.setId("tab-list");
        Tab board = new Tab("IDC binding board", new IdcBoard(vm));
        board.setId("tab-board");
        TabPane tabs = new TabPane(list, board);
        tabs.setId("computer-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        VBox.setVgrow(tabs, Priority.ALWAYS);
        getChildren().addAll(new ScreenHeader("Computers",
                "The hosts IDC Guard can place database nodes on, their health, and the IDC each is bound to."),
                toolbar, new MessageBar("computer-message", vm.messageProperty()), tabs);
    }

    private void buildTable() {
        table.setId("computer-table");
        table.setItems(vm.computers());
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(Columns.text("Address", Computer::address));
        table.getColumns().add(statusColumn());
        table.getColumns().add(Columns.text("IDC", c -> c.idc() == null ? "— unbound —" : c.idc()));
        table.getColumns().add(Columns.text("CPUs", c -> c.facts().cpus() == 0 ? "—" : Integer.toString(c.facts().cpus())));
        table.getColumns().add(Columns.text("Memory", c -> Formats.bytes(c.facts().memoryBytes())));
        table.getColumns().add(Columns.text("Free disk", c -> Formats.bytes(c.facts().freeDiskBytes())));
        table.getColumns().add(Columns.text("PostgreSQL", c -> c.facts().hasPostgres() ? c.facts().postgresVersion() : "not found"));
        table.getColumns().add(Columns.text("Node agent", Computer::agentEndpoint));
        table.setPlaceholder(Placeholders.emptyState(vm.inventory().loadedProperty(), "No computers yet",
                "Start a node agent on each host (./idcguard node --address ADDRESS) and add it here."));
    }


    private static TableColumn<Computer, ComputerStatus> statusColumn() {
        TableColumn<Computer, ComputerStatus> column = new TableColumn<>("Status");
        column.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(cell.getValue().status()));
        column.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(ComputerStatus status, boolean empty) {
                super.updateItem(status, empty);
                setText(null);
                setGraphic(empty || status == null ? null : StatusBadge.of(status));
            }
        });
        return column;
    }

    private void confirmRemove(Computer computer) {
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION, "Remove computer " + computer.address()
                + " from IDC Guard? Its node agent keeps running.", ButtonType.OK, ButtonType.CANCEL);
        confirm.initOwner(getScene().getWindow());
        confirm.setHeaderText("Remove " + computer.address());
        confirm.showAndWait().filter(ButtonType.OK::equals).ifPresent(b -> vm.delete(computer));
    }
}
