package org.idcguard.agent.manager.task;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.idcguard.model.TaskView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs long operations in the background as tasks whose steps are recorded before and after they run,
 * so that the API, the console and a restarted manager all see how far an operation got.
 */
public final class TaskRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
    private final TaskStore store;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "task");
        t.setDaemon(true);
        return t;
    });

    public TaskRunner(TaskStore store) {
        this.store = store;
    }

    public TaskStore store() {
        return store;
    }

    /** Records the task and its planned steps, then runs the body in the background. */
    public TaskView start(String kind, String subject, List<String> steps, Body body) {
        long id = store.create(kind, subject, steps);
        executor.execute(org.idcguard.agent.manager.actor.Actor.carried(() -> run(id, body))); // its events name the operator
        return store.find(id).orElseThrow();
    }

    private void run(long id, Body body) {
        Steps steps = new Steps(id);
        try {
            String outcome = body.run(steps);
            store.finish(id, "succeeded", outcome);
        } catch (Exception e) {
            log.warn("Task {} failed: {}", id, e.getMessage(), e);
            store.finish(id, "failed", e.getMessage());
        }
    }

    /** Ends a task that a previous manager process left running. */
    public void finishInterrupted(long id, String message) {
        store.finish(id, "failed", message);
    }

    /** Runs work on the task pool (for steps that go in parallel). */
    public ExecutorService pool() {
        return executor;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** The work of a task; returns the sentence that tells how it ended, or throws one. */
    @FunctionalInterface
    public interface Body {
        String run(Steps steps) throws Exception;
    }

    /** The steps of one running task: each is marked running before it acts and done or failed after. */
    public final class Steps {
        private final long taskId;

        Steps(long taskId) {
            this.taskId = taskId;
        }

        public long taskId() {
            return taskId;
        }

        public void run(int ordinal, Step step) throws Exception {
            store.stepStatus(taskId, ordinal, "running", null);
            try {
                String detail = step.run();
                store.stepStatus(taskId, ordinal, "done", detail);
            } catch (Exception e) {
                store.stepStatus(taskId, ordinal, "failed", e.getMessage());
                throw e;
            }
        }

        /** Adds a step that was not planned (a rollback, say) and runs it. */
        public void runExtra(String name, Step step) throws Exception {
            run(store.addStep(taskId, name), step);
        }
    }

    /** One step; returns a short detail for the record, or null. */
    @FunctionalInterface
    public interface Step {
        String run() throws Exception;
    }
}
