package org.idcguard.views.dashboard;

import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.IntegerBinding;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.idcguard.model.ComputerStatus;
import org.idcguard.model.Event;
import org.idcguard.views.alerts.AlertsViewModel;
import org.idcguard.views.common.Inventory;

/** The dashboard's figures, derived from the inventory, and the latest events of the timeline. */
public final class DashboardViewModel {
    private static final int SHOWN_EVENTS = 50;
    private final Inventory inventory;
    private final ObservableList<Event> recentEvents = FXCollections.observableArrayList();
    private long lastEventId;
    private boolean loading;

    private final AlertsViewModel alerts;

    public DashboardViewModel(Inventory inventory, AlertsViewModel alerts) {
        this.inventory = inventory;
        this.alerts = alerts;
    }

    /** Alerts nobody has acknowledged yet. */
    public IntegerBinding openAlertCount() {
        return alerts.openCount();
    }

    public Inventory inventory() {
        return inventory;
    }

    public IntegerBinding idcCount() {
        return Bindings.size(inventory.idcs());
    }

    public IntegerBinding computerCount() {
        return Bindings.size(inventory.computers());
    }

    public IntegerBinding clusterCount() {
        return Bindings.size(inventory.clusters());
    }

    public IntegerBinding unreachableCount() {
        return Bindings.createIntegerBinding(() -> (int) inventory.computers().stream()
                .filter(c -> c.status() == ComputerStatus.UNREACHABLE).count(), inventory.computers());
    }

    public IntegerBinding unboundCount() {
        return Bindings.createIntegerBinding(() -> (int) inventory.computers().stream()
                .filter(c -> c.idc() == null).count(), inventory.computers());
    }

    /** Newest first. */
    public ObservableList<Event> recentEvents() {
        return recentEvents;
    }

    /** Fetches events newer than those already shown. */
    public void refreshEvents() {
        if (loading) {
            return;
        }
        loading = true;
        inventory.background().runQuietly(() -> inventory.api().events(lastEventId), events -> {
            loading = false;
            add(events);
        }, failure -> loading = false);
    }

    private void add(List<Event> events) {
        for (Event e : events) {
            recentEvents.add(0, e);
            lastEventId = Math.max(lastEventId, e.id());
        }
        if (recentEvents.size() > SHOWN_EVENTS) {
            recentEvents.remove(SHOWN_EVENTS, recentEvents.size());
        }
    }
}
