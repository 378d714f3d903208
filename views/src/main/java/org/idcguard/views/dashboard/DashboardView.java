package org.idcguard.views.dashboard;

import javafx.beans.binding.IntegerBinding;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.idcguard.model.Event;
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
        Label eventsTitle = new Label("Recent events");
        eventsTitle.getStyleClass().add("section-title");
        ListView<Event> events = new ListView<>(vm.recentEvents());
        events.setId("recent-events");
        events.setPlaceholder(new Label("Nothing has happened yet."));
        events.setCellFactory(list -> new ListCell<>() {
            @Override
            protected void updateItem(Event e, boolean empty) {
                super.updateItem(e, empty);
                setText(empty || e == null ? null : Formats.time(e.timeMillis()) + "   " + e.message());
            }
        });
        VBox.setVgrow(events, Priority.ALWAYS);
        getChildren().addAll(new ScreenHeader("Dashboard", "Data centers, computers, clusters and what the manager saw last."),
                tiles, eventsTitle, events);
    }

    /** The tile turns red while its figure is above zero. */
    private static VBox alerting(VBox tile, IntegerBinding value) {
        var alert = javafx.css.PseudoClass.getPseudoClass("alert");
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
