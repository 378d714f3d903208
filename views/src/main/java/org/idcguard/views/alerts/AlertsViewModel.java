package org.idcguard.views.alerts;

import java.util.List;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.IntegerBinding;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.idcguard.model.Alert;
import org.idcguard.views.common.Failures;
import org.idcguard.views.common.Inventory;

/**
 * The manager's alerts, newest first, refreshed with the console's poll so that a new alert is noticed on every
 * screen. Alerts present at the first load are old news; only those raised afterwards are announced.
 */
public final class AlertsViewModel {
    private final Inventory inventory;
    private final ObservableList<Alert> alerts = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private Consumer<List<Alert>> announcer = a -> { };
    private long newestSeen = -1;
    private boolean loading;

    public AlertsViewModel(Inventory inventory) {
        this.inventory = inventory;
    }

    public ObservableList<Alert> alerts() {
        return alerts;
    }

    public Inventory inventory() {
        return inventory;
    }

    public IntegerBinding openCount() {
        return Bindings.createIntegerBinding(() -> (int) alerts.stream().filter(Alert::open).count(), alerts);
    }

    /** The last acknowledgement's refusal, as a sentence; empty when there was none. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    /**
     * Called on the FX thread with the alerts raised since the last refresh, oldest first, once per refresh that found
     * any (desktop notifications); alerts present at the first load are not announced.
     */
    public void onNewAlerts(Consumer<List<Alert>> announcer) {
        this.announcer = announcer;
    }

    public void refresh() {
        if (loading) {
            return;
        }
        loading = true;
        inventory.background().runQuietly(() -> inventory.api().alerts(false), fresh -> {
            loading = false;
            replace(fresh);
        }, failure -> loading = false);
    }

    public void acknowledge(Alert alert) {
        problem.set("");
        inventory.background().run("Acknowledging alert " + alert.id(), () -> inventory.api().acknowledgeAlert(alert.id()),
                acked -> {
                    int i = indexOf(acked.id());
                    if (i >= 0) {
                        alerts.set(i, acked);
                    }
                }, failure -> problem.set(Failures.sentence(failure)));
    }

    private void replace(List<Alert> fresh) {
        long newest = fresh.stream().mapToLong(Alert::id).max().orElse(0);
        if (newestSeen >= 0) {
            // oldest first, so a burst reads in the order it happened
            List<Alert> raised = fresh.stream().filter(a -> a.id() > newestSeen && a.open())
                    .sorted(java.util.Comparator.comparingLong(Alert::id)).toList();
            if (!raised.isEmpty()) {
                announcer.accept(raised);
            }
        }
        newestSeen = Math.max(newestSeen, newest);
        if (!fresh.equals(alerts)) {
            alerts.setAll(fresh);
        }
    }

    private int indexOf(long id) {
        for (int i = 0; i < alerts.size(); i++) {
            if (alerts.get(i).id() == id) {
                return i;
            }
        }
        return -1;
    }
}
