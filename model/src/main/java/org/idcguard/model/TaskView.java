package org.idcguard.model;

import java.util.List;

/**
 * A long operation and its steps.
 *
 * @param status "running", "succeeded" or "failed"
 * @param message the outcome in one sentence once it has ended (for a failure: what failed and what was rolled back)
 * @param operator who started it, or null when the manager did by itself
 */
public record TaskView(long id, String kind, String subject, String status, String message, long createdMillis,
                       long finishedMillis, List<TaskStep> steps, String operator) {

    public TaskView(long id, String kind, String subject, String status, String message, long createdMillis,
                    long finishedMillis, List<TaskStep> steps) {
        this(id, kind, subject, status, message, createdMillis, finishedMillis, steps, null);
    }

    public boolean ended() {
        return !"running".equals(status);
    }

    /** Done steps over all steps, 0..1. */
    public double progress() {
        if (steps.isEmpty()) {
            return ended() ? 1 : 0;
        }
        return steps.stream().filter(s -> "done".equals(s.status())).count() / (double) steps.size();
    }

    /** One step: "pending", "running", "done" or "failed". */
    public record TaskStep(int ordinal, String name, String status, String detail, long startedMillis, long finishedMillis) {
    }
}
