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

/**
 * The dashboard's figures, derived from the inventory, every cluster at a glance, and the latest events. A cluster's
 * glance is read again when the event stream says something about it (a takeover, protection, a drill), not on
 * every poll.
 */
public final class DashboardViewModel {
    private static final int SHOWN_EVENTS = 50;
    private final Inventory inventory;
    private final ObservableList<Event> recentEvents = FXCollections.observableArrayList();
    private final ObservableList<ClusterGlance> glances = FXCollections.observableArrayList();
    private final ObservableList<org.idcguard.model.ManagerInfo> managers = FXCollections.observableArrayList();
    private boolean readingManagers;
    private final java.util.Set<String> reading = new java.util.HashSet<>();
    private long lastEventId;
    private boolean loading;

    private final AlertsViewModel alerts;

    public DashboardViewModel(Inventory inventory, AlertsViewModel alerts) {
        this.inventory = inventory;
        this.alerts = alerts;
        inventory.clusters().addListener((javafx.collections.ListChangeListener<org.idcguard.model.ClusterSummary>) c -> {
            java.util.Set<String> names = new java.util.HashSet<>();
            inventory.clusters().forEach(s -> names.add(s.name()));
            glances.removeIf(g -> !names.contains(g.name()));
            names.stream().filter(n -> glances.stream().noneMatch(g -> g.name().equals(n))).forEach(this::readGlance);
        });
    }

    /** Every cluster, in name order. */
    public ObservableList<ClusterGlance> glances() {
        return glances;
    }

    /** Reads the cluster's detail, last drill and alerts in the background and puts its glance in place. */
    void readGlance(String cluster) {
        if (!reading.add(cluster)) {
            return;
        }
        inventory.background().runQuietly(() -> ClusterGlance.of(inventory.api().cluster(cluster),
                inventory.api().drills(cluster).stream().findFirst(), inventory.api().alerts(true)), glance -> {
            reading.remove(cluster);
            if (inventory.clusters().stream().noneMatch(s -> s.name().equals(cluster))) {
                return; // deleted meanwhile
            }
            glances.removeIf(g -> g.name().equals(cluster));
            glances.add(glance);
            glances.sort(java.util.Comparator.comparing(ClusterGlance::name));
        }, failure -> reading.remove(cluster));
    }

    /** The managers as the leader last listed them (one for a sole manager). */
    public ObservableList<org.idcguard.model.ManagerInfo> managers() {
        return managers;
    }

    /** Reads the managers again, in the background; quietly, since it repeats with the poll. */
    public void refreshManagers() {
        if (readingManagers) {
            return;
        }
        readingManagers = true;
        inventory.background().runQuietly(() -> inventory.api().managers(), now -> {
            readingManagers = false;
            if (!now.equals(managers)) {
                managers.setAll(now);
            }
        }, failure -> readingManagers = false);
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
        java.util.Set<String> touched = new java.util.TreeSet<>();
        for (Event e : events) {
            if (lastEventId > 0 && concernsGlance(e.kind())) {
                touched.add(e.subject().split("/")[0]); // the glance may have changed: read it again, once per batch
            }
            recentEvents.add(0, e);
            lastEventId = Math.max(lastEventId, e.id());
        }
        if (recentEvents.size() > SHOWN_EVENTS) {
            recentEvents.remove(SHOWN_EVENTS, recentEvents.size());
        }
        touched.stream().filter(n -> inventory.clusters().stream().anyMatch(s -> s.name().equals(n))).forEach(this::readGlance);
    }

    /** Events after which a cluster's glance (primary IDC, protection, last drill, open alerts) may read differently. */
    static boolean concernsGlance(String kind) {
        return kind.startsWith("cluster.") || kind.startsWith("protection.") || kind.startsWith("alert.") || kind.startsWith("drill.")
                || kind.startsWith("sync.") || kind.equals("failover.done") || kind.equals("idc.down") || kind.equals("idc.up");
    }
}
