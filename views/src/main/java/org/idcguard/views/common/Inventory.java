package org.idcguard.views.common;

import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.Computer;
import org.idcguard.model.Idc;
import org.idcguard.model.ManagerApi;

/**
 * The console's copy of the manager's IDCs and computers, shared by every view. It is refreshed in the
 * background (on demand and on a timer), and only ever changed on the FX thread. When the manager stops
 * answering, the lists keep their last contents and {@link #managerLostProperty()} says so.
 */
public final class Inventory {
    private final ManagerApi api;
    private final Background background;
    private final ObservableList<Idc> idcs = FXCollections.observableArrayList();
    private final ObservableList<Computer> computers = FXCollections.observableArrayList();
    private final ObservableList<ClusterSummary> clusters = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper managerLost = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper managerProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper loaded = new ReadOnlyBooleanWrapper(false);
    private boolean refreshing;

    public Inventory(ManagerApi api, Background background) {
        this.api = api;
        this.background = background;
    }

    public ManagerApi api() {
        return api;
    }

    public Background background() {
        return background;
    }

    public ObservableList<Idc> idcs() {
        return idcs;
    }

    public ObservableList<Computer> computers() {
        return computers;
    }

    public ObservableList<ClusterSummary> clusters() {
        return clusters;
    }

    /** True once the first refresh has answered: until then empty lists mean "not known yet", not "none". */
    public ReadOnlyBooleanProperty loadedProperty() {
        return loaded.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty managerLostProperty() {
        return managerLost.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty managerProblemProperty() {
        return managerProblem.getReadOnlyProperty();
    }

    /** Reloads both lists in the background; a refresh already under way is not doubled. */
    public void refresh() {
        if (refreshing) {
            return;
        }
        refreshing = true;
        background.runQuietly(() -> new Snapshot(api.idcs(), api.computers(), api.clusters()), snapshot -> {
            refreshing = false;
            replace(idcs, snapshot.idcs(), Comparator.comparing(Idc::name), idc -> idc);
            replace(computers, snapshot.computers(), Comparator.comparing(Computer::address), Inventory::shownParts);
            replace(clusters, snapshot.clusters(), Comparator.comparing(ClusterSummary::name), cluster -> cluster);
            managerLost.set(false);
            managerProblem.set("");
            loaded.set(true);
        }, failure -> {
            refreshing = false;
            managerLost.set(Failures.managerUnreachable(failure));
            managerProblem.set(Failures.sentence(failure));
        });
    }

    /** Puts one changed computer into the list at once, before the next refresh confirms it. */
    public void update(Computer computer) {
        for (int i = 0; i < computers.size(); i++) {
            if (computers.get(i).address().equals(computer.address())) {
                computers.set(i, computer);
                return;
            }
        }
        computers.add(computer);
    }

    public void run(String what, java.util.concurrent.Callable<?> work, Consumer<Throwable> onFailure) {
        background.run(what, work, done -> refresh(), onFailure);
    }

    /**
     * Replaces the list's contents only where what the console shows has changed, so that a refresh
     * every few seconds neither redraws the board mid-drag nor drops the table's selection.
     */
    private static <T> void replace(ObservableList<T> list, List<T> fresh, Comparator<T> order, Function<T, Object> shown) {
        List<T> sorted = fresh.stream().sorted(order).toList();
        if (sorted.size() != list.size()) {
            list.setAll(sorted);
            return;
        }
        for (int i = 0; i < sorted.size(); i++) {
            if (!shown.apply(sorted.get(i)).equals(shown.apply(list.get(i)))) {
                list.set(i, sorted.get(i));
            }
        }
    }

    /** A computer's facts as shown: free disk to the nearest 100 MiB, last-seen time left out. */
    private static Object shownParts(Computer c) {
        var f = c.facts();
        return List.of(c.address(), c.agentEndpoint(), String.valueOf(c.idc()), c.status(), f.cpus(), f.memoryBytes(),
                f.freeDiskBytes() / (100L << 20), String.valueOf(f.postgresVersion()));
    }

    private record Snapshot(List<Idc> idcs, List<Computer> computers, List<ClusterSummary> clusters) {
    }
}
