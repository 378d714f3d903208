package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.Set;
import org.idcguard.model.TaskView;

/** Follows a task to its end, printing each step as it finishes; a failed task becomes a {@link CliFailure}. */
final class TaskWaiter {
    private TaskWaiter() {
    }

    static TaskView await(ManagerClient manager, TaskView task, PrintStream out) throws InterruptedException {
        Set<Integer> shown = new HashSet<>();
        TaskView now = task;
        while (true) {
            for (TaskView.TaskStep step : now.steps()) {
                if (("done".equals(step.status()) || "failed".equals(step.status())) && shown.add(step.ordinal())) {
                    out.printf("  %-6s %5.1f s  %s%n", step.status(), (step.finishedMillis() - step.startedMillis()) / 1000.0, step.name());
                }
            }
            if (now.ended()) {
                break;
            }
            Thread.sleep(250);
            now = manager.get(ApiPaths.task(task.id()), new TypeReference<TaskView>() { });
        }
        if (!"succeeded".equals(now.status())) {
            throw new CliFailure(now.message() == null ? "Task " + now.id() + " failed." : now.message());
        }
        return now;
    }
}
