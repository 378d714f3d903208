package org.idcguard.views.clusters;

import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.DrPlan;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.model.TaskView;
import org.idcguard.views.common.Failures;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.common.TaskFollower;

/**
 * The backup-city promotion wizard's state: the manager's preflight with the estimated loss per group, the DBA's
 * typed confirmation (the cluster's name: a promotion that may lose commits is never one click away), then the
 * promotion task followed step by step.
 */
public final class BackupCityViewModel {
    public enum Page { PLAN, CONFIRM, PROGRESS }

    private final Inventory inventory;
    private final ClusterSummary cluster;
    private final ObjectProperty<Page> page = new SimpleObjectProperty<>(Page.PLAN);
    private final ObjectProperty<DrPlan> plan = new SimpleObjectProperty<>();
    private final ObjectProperty<TaskView> task = new SimpleObjectProperty<>();
    private final StringProperty typed = new SimpleStringProperty("");
    private final StringProperty mode = new SimpleStringProperty(DrPromoteRequest.LATEST);
    private final StringProperty message = new SimpleStringProperty("");
    private final BooleanProperty busy = new SimpleBooleanProperty();

    public BackupCityViewModel(Inventory inventory, ClusterSummary cluster) {
        this.inventory = inventory;
        this.cluster = cluster;
        mode.addListener((obs, old, now) -> {
            plan.set(null);
            check();
        });
    }

    public ClusterSummary cluster() {
        return cluster;
    }

    public ObjectProperty<Page> pageProperty() {
        return page;
    }

    public ObjectProperty<DrPlan> planProperty() {
        return plan;
    }

    public ObjectProperty<TaskView> taskProperty() {
        return task;
    }

    public StringProperty typedProperty() {
        return typed;
    }

    /** latest (least loss) or consistent (every group at one restore point); a change asks for the preflight again. */
    public StringProperty modeProperty() {
        return mode;
    }

    public StringProperty messageProperty() {
        return message;
    }

    public BooleanProperty busyProperty() {
        return busy;
    }

    /** Whether Next (or Promote) may be pressed on the page shown. */
    public boolean canGoOn() {
        return switch (page.get()) {
            case PLAN -> plan.get() != null && !plan.get().blocked();
            case CONFIRM -> cluster.name().equals(typed.get());
            case PROGRESS -> false;
        };
    }

    /** Asks the manager for the preflight (when the wizard opens, and again on Check again). */
    public void check() {
        busy.set(true);
        message.set("");
        String asked = mode.get();
        inventory.background().run("Checking the promotion of " + cluster.drIdc(), () -> inventory.api().drPlan(cluster.name(), cluster.drIdc(), asked),
                p -> {
                    busy.set(false);
                    plan.set(p);
                }, failure -> {
                    busy.set(false);
                    message.set(Failures.sentence(failure));
                });
    }

    public void next() {
        if (!canGoOn()) {
            if (page.get() == Page.CONFIRM) {
                message.set("Type the cluster's name, " + cluster.name() + ", to confirm.");
            }
            return;
        }
        switch (page.get()) {
            case PLAN -> {
                message.set("");
                page.set(Page.CONFIRM);
            }
            case CONFIRM -> promote();
            case PROGRESS -> { }
        }
    }

    public void back() {
        if (page.get() == Page.CONFIRM) {
            message.set("");
            typed.set("");
            page.set(Page.PLAN);
            check(); // the loss grows while the DBA reads: show it as it is now
        }
    }

    private void promote() {
        busy.set(true);
        message.set("");
        DrPromoteRequest request = new DrPromoteRequest(cluster.drIdc(), mode.get(), true);
        inventory.background().run("Promoting " + cluster.drIdc() + " for " + cluster.name(),
                () -> inventory.api().promoteBackupCity(cluster.name(), request), started -> {
                    busy.set(false);
                    task.set(started);
                    page.set(Page.PROGRESS);
                    TaskFollower.follow(inventory, started.id(), task::set);
                }, failure -> {
                    busy.set(false);
                    message.set(Failures.sentence(failure));
                });
    }

    /** Runs the action when the promotion task has ended (e.g. to refresh the cluster screen). */
    public void onDone(Consumer<TaskView> action) {
        task.addListener((obs, old, now) -> {
            if (now != null && now.ended()) {
                action.accept(now);
            }
        });
    }
}
