package org.idcguard.views.dashboard;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.IntegerBinding;
import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.idcguard.model.Event;
import org.idcguard.views.common.Columns;
import org.idcguard.views.common.Formats;
import org.idcguard.views.common.ScreenHeader;

/** Dashboard: the state of the estate at a glance, and what happened last. */
public final class DashboardView extends VBox {

    public DashboardView(DashboardViewModel vm) {
        getStyleClass().add("screen");
        setSpacing(12);
        HBox tiles = new HBox(12,
                tile("Data centers", vm.idcCount(), "tile-idcs"),
                tile("Computers", vm.computerCount(), "tile-computers"),
                tile("Clusters", vm.clusterCount(), "tile-clusters"),
                alerting(tile("Unreachable", vm.unreachableCount(), "tile-unreachable"), vm.unreachableCount()),
                tile("Unbound", vm.unboundCount(), "tile-unbound"),
                alerting(tile("Open alerts", vm.openAlertCount(), "tile-open-alerts"), vm.openAlertCount()));
        Label managersTitle = new Label("Managers");
        managersTitle.getStyleClass().add("section-title");
        ManagersPane managers = new ManagersPane(vm.managers());
        Label clustersTitle = new Label("Clusters");
        clustersTitle.getStyleClass().add("section-title");
        TableView<ClusterGlance> clusters = new TableView<>(vm.glances());
        clusters.setId("cluster-glances");
        clusters.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        clusters.getColumns().add(sized(Columns.text("Cluster", ClusterGlance::name), 90));
        clusters.getColumns().add(sized(Columns.text("City", ClusterGlance::city), 85));
        clusters.getColumns().add(sized(Columns.text("Primary IDC", ClusterGlance::primaryIdc), 105));
        clusters.getColumns().add(sized(Columns.text("Backup IDC", ClusterGlance::backupIdc), 105));
        clusters.getColumns().add(sized(Columns.text("Protection", ClusterGlance::protection), 200));
        clusters.getColumns().add(sized(Columns.text("Open alerts", g -> Long.toString(g.openAlerts())), 100));
        clusters.getColumns().add(Columns.text("Last drill", ClusterGlance::lastDrill));
        clusters.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(ClusterGlance g, boolean empty) {
                super.updateItem(g, empty);
                pseudoClassStateChanged(PseudoClass.getPseudoClass("alert"), !empty && g != null && !g.healthy());
                setTooltip(empty || g == null ? null : new javafx.scene.control.Tooltip(g.protection() + "; last drill " + g.lastDrill()));
            }
        });
        clusters.setPlaceholder(new Label("No cluster yet: create one on the Clusters screen."));
        clusters.setFixedCellSize(26);
        clusters.prefHeightProperty().bind(Bindings.max(2, Bindings.size(vm.glances()))
                .multiply(26).add(30));
        clusters.setMaxHeight(Region.USE_PREF_SIZE);
        clusters.setMinHeight(Region.USE_PREF_SIZE); // the events list below gives way, not the clusters
        Label eventsTitle = new Label("Recent events");
        eventsTitle.getStyleClass().add("section-title");
        ListView<Event> events = new ListView<>(vm.recentEvents());
        events.setId("recent-events");
        events.setPlaceholder(new Label("Nothing has happened yet."));
        events.setCellFactory(list -> {
            ListCell<Event> cell = new ListCell<>() {
                @Override
                protected void updateItem(Event e, boolean empty) {
                    super.updateItem(e, empty);
                    setText(empty || e == null ? null : Formats.eventTime(e.timeMillis()) + "   " + e.message()
                            + (e.actor() == null ? "" : "   (" + e.actor() + (e.reason() == null ? "" : ": " + e.reason()) + ")"));
                }
            };
            // a long sentence wraps within the list instead of widening it into a horizontal scroll
            cell.setWrapText(true);
            cell.prefWidthProperty().bind(list.widthProperty().subtract(24));
            cell.setMaxWidth(Region.USE_PREF_SIZE);
            return cell;
        });
        VBox.setVgrow(events, Priority.ALWAYS);
        getChildren().addAll(new ScreenHeader("Dashboard", "Data centers, computers, clusters and what the manager saw last."),
                tiles, managersTitle, managers, clustersTitle, clusters, eventsTitle, events);
    }

    /** Fixed width: the room left goes to the last column (the last drill), whose sentence is the longest. */
    private static <T> TableColumn<T, String> sized(TableColumn<T, String> column, double width) {
        column.setMinWidth(width);
        column.setPrefWidth(width);
        column.setMaxWidth(width);
        return column;
    }

    /** The tile turns red while its figure is above zero. */
    private static VBox alerting(VBox tile, IntegerBinding value) {
        var alert = PseudoClass.getPseudoClass("alert");
        tile.pseudoClassStateChanged(alert, value.get() > 0);
        value.addListener((obs, old, now) -> tile.pseudoClassStateChanged(alert, now.intValue() > 0));
        return tile;
    }

    private static VBox tile(String title, IntegerBinding value, String id) {
        Label number = new Label();
        number.textProperty().bind(value.asString());
        number.getStyleClass().add("tile-value");
        Label caption = new Label(title);
        caption.getStyleClass().add("tile-caption");
        VBox tile = new VBox(2, number, caption);
        tile.setId(id);
        tile.getStyleClass().add("tile");
        HBox.setHgrow(tile, Priority.ALWAYS);
        tile.setMaxWidth(Double.MAX_VALUE);
        return tile;
    }
}
