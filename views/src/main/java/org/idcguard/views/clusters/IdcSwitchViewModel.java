package org.idcguard.views.clusters;

import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.SwitchPlan;
import org.idcguard.model.TaskView;
import org.idcguard.views.common.Failures;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.common.TaskFollower;

/**
 * The IDC switch wizard's state: the target IDC, the manager's preflight and plan (nothing changes while it is
 * made), then the switch task followed step by step.
 */
public final class IdcSwitchViewModel {
    public enum Page { TARGET, PLAN, PROGRESS }

    private final Inventory inventory;
    private final ClusterSummary cluster;
    private final ObjectProperty<Page> page = new SimpleObjectProperty<>(Page.TARGET);
    private final StringProperty target = new SimpleStringProperty();
    private final ObjectProperty<SwitchPlan> plan = new SimpleObjectProperty<>();
    private final ObjectProperty<TaskView> task = new SimpleObjectProperty<>();
    private final StringProperty message = new SimpleStringProperty("");
    private final BooleanProperty busy = new SimpleBooleanProperty();

    public IdcSwitchViewModel(Inventory inventory, ClusterSummary cluster) {
        this.inventory = inventory;
        this.cluster = cluster;
        target.set(cluster.backupIdc());
    }

    public ClusterSummary cluster() {
        return cluster;
    }

    /** The IDCs the cluster can switch to: its IDCs other than the one holding the primaries now. */
    public List<String> targets() {
        return List.of(cluster.backupIdc());
    }

    public ObjectProperty<Page> pageProperty() {
        return page;
    }

    public StringProperty targetProperty() {
        return target;
    }

    public ObjectProperty<SwitchPlan> planProperty() {
        return plan;
    }

    public ObjectProperty<TaskView> taskProperty() {
        return task;
    }

    public StringProperty messageProperty() {
        return message;
    }

    public BooleanProperty busyProperty() {
        return busy;
    }

    /** Whether Confirm may be pressed: a plan with nothing blocking it. */
    public boolean canConfirm() {
        return page.get() == Page.PLAN && plan.get() != null && !plan.get().blocked();
    }

    public void next() {
        switch (page.get()) {
            case TARGET -> askForPlan();
            case PLAN -> confirm();
            case PROGRESS -> { }
        }
    }

    public void back() {
        if (page.get() == Page.PLAN) {
            message.set("");
            page.set(Page.TARGET);
        }
    }

    /** Asks again (after the DBA fixed what blocked it). */
    public void recheck() {
        askForPlan();
    }

    private void askForPlan() {
        if (target.get() == null || target.get().isBlank()) {
            message.set("Choose the IDC to switch to.");
            return;
        }
        busy.set(true);
        message.set("");
        String to = target.get();
        inventory.background().run("Checking the switch to " + to, () -> inventory.api().switchPlan(cluster.name(), to), p -> {
            busy.set(false);
            plan.set(p);
            page.set(Page.PLAN);
        }, failure -> {
            busy.set(false);
            message.set(Failures.sentence(failure));
        });
    }

    private void confirm() {
        if (!canConfirm()) {
            return;
        }
        busy.set(true);
        String to = target.get();
        inventory.background().run("Switching " + cluster.name() + " to " + to, () -> inventory.api().startSwitch(cluster.name(), to),
                started -> {
                    busy.set(false);
                    task.set(started);
                    page.set(Page.PROGRESS);
                    TaskFollower.follow(inventory, started.id(), task::set);
                }, failure -> {
                    busy.set(false);
                    message.set(Failures.sentence(failure));
                });
    }

    /** Runs the action when the switch task has ended (e.g. to refresh the cluster screen). */
    public void onDone(Consumer<TaskView> action) {
        task.addListener((obs, old, now) -> {
            if (now != null && now.ended()) {
                action.accept(now);
            }
        });
    }
}
