package org.idcguard.views.tasks;

import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.idcguard.model.TaskView;
import org.idcguard.views.common.Inventory;

/** The manager's recent tasks, newest first, refreshed quietly while the screen is shown. */
public final class TasksViewModel {
    private final Inventory inventory;
    private final ObservableList<TaskView> tasks = FXCollections.observableArrayList();
    private final ObservableList<org.idcguard.model.Approval> waiting = FXCollections.observableArrayList();
    private final javafx.beans.property.StringProperty message = new javafx.beans.property.SimpleStringProperty("");
    private boolean loading;

    public TasksViewModel(Inventory inventory) {
        this.inventory = inventory;
    }

    public ObservableList<TaskView> tasks() {
        return tasks;
    }

    public Inventory inventory() {
        return inventory;
    }

    /** Operations the four-eyes rule holds, waiting for a second admin. */
    public ObservableList<org.idcguard.model.Approval> waiting() {
        return waiting;
    }

    public javafx.beans.property.StringProperty messageProperty() {
        return message;
    }

    /** Approves as the second admin; the manager refuses the admin who asked, and anyone but an admin, with a sentence. */
    public void approve(org.idcguard.model.Approval a) {
        inventory.background().run("Approving " + a.what(), () -> inventory.api().approve(a.id()), task -> {
            message.set("Approved: " + a.what() + " has started as task " + task.id() + ", asked by " + a.requestedBy() + ".");
            refresh();
        }, failure -> message.set(org.idcguard.views.common.Failures.sentence(failure)));
    }

    public void reject(org.idcguard.model.Approval a) {
        inventory.background().run("Rejecting " + a.what(), () -> inventory.api().reject(a.id()), done -> {
            message.set("Rejected: " + a.what() + " will not happen.");
            refresh();
        }, failure -> message.set(org.idcguard.views.common.Failures.sentence(failure)));
    }

    public void refresh() {
        if (loading) {
            return;
        }
        loading = true;
        inventory.background().runQuietly(() -> new Read(inventory.api().tasks(), inventory.api().approvals()), fresh -> {
            loading = false;
            replace(fresh.tasks());
            List<org.idcguard.model.Approval> open = fresh.approvals().stream().filter(a -> "waiting".equals(a.state())).toList();
            if (!open.equals(waiting)) {
                waiting.setAll(open);
            }
        }, failure -> loading = false);
    }

    private record Read(List<TaskView> tasks, List<org.idcguard.model.Approval> approvals) {
    }

    private void replace(List<TaskView> fresh) {
        if (!fresh.equals(tasks)) {
            tasks.setAll(fresh);
        }
    }
}
