package org.idcguard.views.clusters;

import javafx.scene.control.Button;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.idcguard.model.ClusterSummary;
import org.idcguard.views.common.Columns;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.common.Placeholders;
import org.idcguard.views.common.ScreenHeader;

/** Clusters: the list (with Create), and a cluster's detail in place of the list when one is opened. */
public final class ClustersView extends StackPane {
    private final Inventory inventory;
    private final VBox list = new VBox(12);
    private final TableView<ClusterSummary> table = new TableView<>();
    private ClusterDetailView detail;

    public ClustersView(Inventory inventory) {
        this.inventory = inventory;
        list.getStyleClass().add("screen");
        Button create = new Button("Create cluster");
        create.setId("create-cluster");
        create.getStyleClass().add("accent");
        create.setOnAction(e -> new ClusterWizard(getScene().getWindow(), new ClusterWizardViewModel(inventory)).show());
        Button open = new Button("Open");
        open.setId("open-cluster");
        open.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        open.setOnAction(e -> open(table.getSelectionModel().getSelectedItem().name()));
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> inventory.refresh());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox toolbar = new HBox(8, create, open, spacer, refresh);
        toolbar.getStyleClass().add("toolbar");
        buildTable();
        VBox.setVgrow(table, Priority.ALWAYS);
        list.getChildren().addAll(new ScreenHeader("Clusters",
                "IDC clusters: a coordinator and storage shards, each replicating synchronously from its primary IDC to its backup IDC."),
                toolbar, table);
        getChildren().add(list);
    }

    private void buildTable() {
        table.setId("cluster-table");
        table.setItems(inventory.clusters());
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(Columns.text("Name", ClusterSummary::name));
        table.getColumns().add(Columns.text("Type", c -> "IDC cluster (" + c.kind() + ")"));
        table.getColumns().add(Columns.text("City", ClusterSummary::city));
        table.getColumns().add(Columns.text("Primary IDC", ClusterSummary::primaryIdc));
        table.getColumns().add(Columns.text("Backup IDC", ClusterSummary::backupIdc));
        table.getColumns().add(Columns.text("DR IDC", c -> c.hasDr() ? c.drIdc() : "-"));
        table.getColumns().add(Columns.text("Status", ClusterSummary::status));
        table.getColumns().add(Columns.text("Primary nodes", c -> Integer.toString(c.primaryNodes())));
        table.getColumns().add(Columns.text("Standby nodes", c -> Integer.toString(c.standbyNodes())));
        table.setPlaceholder(Placeholders.emptyState(inventory.loadedProperty(), "No clusters yet",
                "Create an intra-city IDC cluster once a city has two IDCs with computers bound to them."));
        table.setRowFactory(t -> {
            TableRow<ClusterSummary> row = new TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && !row.isEmpty()) {
                    open(row.getItem().name());
                }
            });
            return row;
        });
    }


    /** Shows the cluster's detail in place of the list. */
    public void open(String name) {
        detail = new ClusterDetailView(new ClusterDetailViewModel(inventory, name), this::closeDetail);
        getChildren().setAll(detail);
    }

    private void closeDetail() {
        if (detail != null) {
            detail.stopPolling();
            detail = null;
        }
        getChildren().setAll(list);
    }
}
