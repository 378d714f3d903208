package org.idcguard.agent.manager.task;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.model.TaskView;
import org.idcguard.model.TaskView.TaskStep;

/** SQL for tasks and their steps. Each change is its own transaction, so progress is durable as it happens. */
public final class TaskStore {
    private final MetadataStore store;

    public TaskStore(MetadataStore store) {
        this.store = store;
    }

    long create(String kind, String subject, List<String> steps) {
        return store.inTransaction(c -> {
            long id;
            try (PreparedStatement st = c.prepareStatement("INSERT INTO task (kind, subject, status, created_millis, actor) VALUES (?, ?, 'running', ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                st.setString(1, kind);
                st.setString(2, subject);
                st.setLong(3, System.currentTimeMillis());
                st.setString(4, org.idcguard.agent.manager.actor.Actor.currentName());
                st.executeUpdate();
                ResultSet keys = st.getGeneratedKeys();
                keys.next();
                id = keys.getLong(1);
            }
            for (int i = 0; i < steps.size(); i++) {
                insertStep(c, id, i + 1, steps.get(i));
            }
            return id;
        });
    }

    int addStep(long taskId, String name) {
        return store.inTransaction(c -> {
            int ordinal;
            try (PreparedStatement st = c.prepareStatement("SELECT COALESCE(MAX(ordinal), 0) + 1 FROM task_step WHERE task_id = ?")) {
                st.setLong(1, taskId);
                ResultSet rs = st.executeQuery();
                rs.next();
                ordinal = rs.getInt(1);
            }
            insertStep(c, taskId, ordinal, name);
            return ordinal;
        });
    }

    void stepStatus(long taskId, int ordinal, String status, String detail) {
        store.inTransaction(c -> {
            String timeColumn = "running".equals(status) ? "started_millis" : "finished_millis";
            try (PreparedStatement st = c.prepareStatement("UPDATE task_step SET status = ?, detail = COALESCE(?, detail), "
                    + timeColumn + " = ? WHERE task_id = ? AND ordinal = ?")) {
                st.setString(1, status);
                st.setString(2, detail);
                st.setLong(3, System.currentTimeMillis());
                st.setLong(4, taskId);
                st.setInt(5, ordinal);
                st.executeUpdate();
            }
            return null;
        });
    }

    void finish(long taskId, String status, String message) {
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE task SET status = ?, message = ?, finished_millis = ? WHERE id = ?")) {
                st.setString(1, status);
                st.setString(2, message);
                st.setLong(3, System.currentTimeMillis());
                st.setLong(4, taskId);
                st.executeUpdate();
            }
            return null;
        });
    }

    public Optional<TaskView> find(long id) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT id, kind, subject, status, message, created_millis, finished_millis, actor FROM task WHERE id = ?")) {
                st.setLong(1, id);
                ResultSet rs = st.executeQuery();
                return rs.next() ? Optional.of(read(c, rs)) : Optional.<TaskView>empty();
            }
        });
    }

    public List<TaskView> recent(int limit) {
        return query("ORDER BY id DESC LIMIT " + limit);
    }

    /** Tasks still marked running: after a restart, these were interrupted. */
    public List<TaskView> running() {
        return query("WHERE status = 'running' ORDER BY id");
    }

    private List<TaskView> query(String tail) {
        return store.inTransaction(c -> {
            List<TaskView> tasks = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT id, kind, subject, status, message, created_millis, finished_millis, actor FROM task " + tail)) {
                ResultSet rs = st.executeQuery();
                while (rs.next()) {
                    tasks.add(read(c, rs));
                }
            }
            return tasks;
        });
    }

    private static TaskView read(Connection c, ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        List<TaskStep> steps = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT ordinal, name, status, detail, started_millis, finished_millis "
                + "FROM task_step WHERE task_id = ? ORDER BY ordinal")) {
            st.setLong(1, id);
            ResultSet s = st.executeQuery();
            while (s.next()) {
                steps.add(new TaskStep(s.getInt(1), s.getString(2), s.getString(3), s.getString(4), s.getLong(5), s.getLong(6)));
            }
        }
        return new TaskView(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6), rs.getLong(7), steps,
                rs.getString(8));
    }

    private static void insertStep(Connection c, long taskId, int ordinal, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO task_step (task_id, ordinal, name, status) VALUES (?, ?, ?, 'pending')")) {
            st.setLong(1, taskId);
            st.setInt(2, ordinal);
            st.setString(3, name);
            st.executeUpdate();
        }
    }
}
