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
    private java.util.List<org.idcguard.model.ManagerInfo> managers = java.util.List.of();

    /** The detail and the managers, read together in the background. */
    private record Read(ClusterDetail detail, java.util.List<org.idcguard.model.ManagerInfo> managers) {
    }

    /** The managers as read with the last detail: where they run, for the topology graph. */
    public java.util.List<org.idcguard.model.ManagerInfo> managers() {
        return managers;
    }
    private final StringProperty message = new SimpleStringProperty("");
    private final ObjectProperty<TaskView> deletion = new SimpleObjectProperty<>();
    private final javafx.collections.ObservableList<String> clients = javafx.collections.FXCollections.observableArrayList();
    private final StringProperty clientsError = new SimpleStringProperty("");
    private final javafx.beans.property.BooleanProperty clientsBusy = new javafx.beans.property.SimpleBooleanProperty();
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

    private final ObjectProperty<org.idcguard.model.ClusterUris> revealed = new SimpleObjectProperty<>();

    /** The URIs with the application's password, once an admin asked to see them (the manager records it); else null. */
    public ObjectProperty<org.idcguard.model.ClusterUris> revealedProperty() {
        return revealed;
    }

    /**
     * Asks the manager for the password: it answers an admin and records who saw it and why, and refuses anyone else
     * with a sentence, shown in the screen's message bar.
     */
    public void reveal(Runnable refused) {
        inventory.background().run("Revealing the application password of " + name, () -> inventory.api().revealUris(name),
                revealed::set, failure -> {
                    message.set(Failures.sentence(failure));
                    refused.run();
                });
    }

    /** Back to the masked URIs. */
    public void hide() {
        revealed.set(null);
    }

    /** Asks the manager for the live state; quietly, since it repeats every few seconds. */
    public void refresh() {
        if (loading) {
            return;
        }
        loading = true;
        inventory.background().runQuietly(() -> new Read(inventory.api().cluster(name), inventory.api().managers()), read -> {
            loading = false;
            managers = read.managers();
            detail.set(read.detail());
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

    /** The networks applications may connect from, as the manager last said. */
    public javafx.collections.ObservableList<String> clients() {
        return clients;
    }

    /** Why the last change of the client networks was refused, or what it could not reach; empty when it went through. */
    public StringProperty clientsErrorProperty() {
        return clientsError;
    }

    public javafx.beans.property.BooleanProperty clientsBusyProperty() {
        return clientsBusy;
    }

    public void loadClients() {
        inventory.background().runQuietly(() -> inventory.api().clientNetworks(name), now -> clients.setAll(now.clients()),
                failure -> clientsError.set(Failures.sentence(failure)));
    }

    /** Adds a network (as typed: the manager checks it and says why not, beside the field). */
    public void addClient(String cidr) {
        java.util.List<String> wanted = new java.util.ArrayList<>(clients);
        wanted.add(cidr == null ? "" : cidr.strip());
        changeClients(wanted, "Letting " + cidr + " in to " + name);
    }

    public void removeClient(String cidr) {
        java.util.List<String> wanted = new java.util.ArrayList<>(clients);
        wanted.remove(cidr);
        changeClients(wanted, "Closing " + name + " to " + cidr);
    }

    private void changeClients(java.util.List<String> wanted, String what) {
        clientsBusy.set(true);
        inventory.background().run(what, () -> inventory.api().setClientNetworks(name, wanted), now -> {
            clientsBusy.set(false);
            clients.setAll(now.clients());
            clientsError.set(now.notReached().isEmpty() ? "" : "Not reached now (they get it when they rejoin): "
                    + String.join(", ", now.notReached()) + ".");
        }, failure -> {
            clientsBusy.set(false);
            clientsError.set(Failures.sentence(failure));
        });
    }

    /** What the console knows (IDCs, computers), for the dialogs this screen opens. */
    public Inventory inventory() {
        return inventory;
    }

    /** A fresh IDC switch wizard state for this cluster, or null before the first observation arrived. */
    public IdcSwitchViewModel switchWizard() {
        ClusterDetail now = detail.get();
        return now == null ? null : new IdcSwitchViewModel(inventory, now.summary());
    }

    /** The backup-city promotion wizard, for a cluster with a DR IDC whose primaries are not there already. */
    public BackupCityViewModel backupCityWizard() {
        ClusterDetail now = detail.get();
        return now == null || !now.summary().hasDr() ? null : new BackupCityViewModel(inventory, now.summary());
    }

    /**
     * Asks the manager to give the cluster a DR city; a refusal goes to refused (shown next to the field), an accepted
     * request to accepted, and the task is then followed on the message bar until the cluster is shown again.
     */
    public void addDrCity(String idc, int nodes, java.util.function.Consumer<String> refused, Runnable accepted) {
        inventory.background().run("Adding the DR city " + idc + " to " + name,
                () -> inventory.api().addDrCity(name, new org.idcguard.model.AddDrRequest(idc, nodes)), started -> {
                    accepted.run();
                    message.set("Adding the DR IDC " + idc + " to " + name + ": each group's DR standby is copied from its primary.");
                    TaskFollower.follow(inventory, started.id(), now -> {
                        if (now.ended()) {
                            message.set(now.message());
                            refresh();
                        }
                    });
                }, failure -> refused.accept(Failures.sentence(failure)));
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
