package org.idcguard.views.common;

import java.util.function.Consumer;
import org.idcguard.model.TaskView;

/** Follows a manager task until it ends, handing each new state to the screen on the FX thread. */
public final class TaskFollower {
    private static final long POLL_MILLIS = 400;

    private TaskFollower() {
    }

    /** Polls quietly in the background; a failed poll (a lost manager, say) is retried, the task goes on in the manager. */
    public static void follow(Inventory inventory, long taskId, Consumer<TaskView> onUpdate) {
        inventory.background().runQuietly(() -> {
            Thread.sleep(POLL_MILLIS);
            return inventory.api().task(taskId);
        }, now -> {
            onUpdate.accept(now);
            if (now.ended()) {
                inventory.refresh();
            } else {
                follow(inventory, taskId, onUpdate);
            }
        }, failure -> follow(inventory, taskId, onUpdate));
    }
}
