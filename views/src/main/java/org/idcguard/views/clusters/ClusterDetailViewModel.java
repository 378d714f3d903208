package org.idcguard.views.clusters;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.TaskView;
import org.idcguard.views.common.Failures;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.common.TaskFollower;

/** One cluster as observed now, refreshed while its screen is shown, and its deletion. */
public final class ClusterDetailViewModel {
    private final Inventory inventory;
    private final String name;
    private final ObjectProperty<ClusterDetail> detail = new SimpleObjectProperty<>();
    private final StringProperty message = new SimpleStringProperty("");
    private final ObjectProperty<TaskView> deletion = new SimpleObjectProperty<>();
    private boolean loading;

    public ClusterDetailViewModel(Inventory inventory, String name) {
        this.inventory = inventory;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public ObjectProperty<ClusterDetail> detailProperty() {
        return detail;
    }

    public StringProperty messageProperty() {
        return message;
    }

    public ObjectProperty<TaskView> deletionProperty() {
        return deletion;
    }

    /** Asks the manager for the live state; quietly, since it repeats every few seconds. */
    public void refresh() {
        if (loading) {
            return;
        }
        loading = true;
        inventory.background().runQuietly(() -> inventory.api().cluster(name), now -> {
            loading = false;
            detail.set(now);
            if (deletion.get() == null) {
                message.set("");
            }
        }, failure -> {
            loading = false;
            if (deletion.get() == null) {
                message.set(Failures.sentence(failure));
            }
        });
    }

    /** A fresh IDC switch wizard state for this cluster, or null before the first observation arrived. */
    public IdcSwitchViewModel switchWizard() {
        ClusterDetail now = detail.get();
        return now == null ? null : new IdcSwitchViewModel(inventory, now.summary());
    }

    public void delete() {
        inventory.background().run("Deleting " + name, () -> inventory.api().deleteCluster(name), started -> {
            deletion.set(started);
            message.set("Deleting " + name + ": every node is stopped and its data removed.");
            TaskFollower.follow(inventory, started.id(), now -> {
                deletion.set(now);
                if (now.ended()) {
                    message.set(now.message());
                }
            });
        }, failure -> message.set(Failures.sentence(failure)));
    }
}
