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

    public void refresh() {
        if (loading) {
            return;
        }
        loading = true;
        inventory.background().runQuietly(() -> inventory.api().tasks(), fresh -> {
            loading = false;
            replace(fresh);
        }, failure -> loading = false);
    }

    private void replace(List<TaskView> fresh) {
        if (!fresh.equals(tasks)) {
            tasks.setAll(fresh);
        }
    }
}
