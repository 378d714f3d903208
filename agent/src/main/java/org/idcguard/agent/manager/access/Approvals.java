package org.idcguard.agent.manager.access;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.actor.Actor;
import org.idcguard.agent.manager.actor.Role;
import org.idcguard.model.AccessSettings;
import org.idcguard.model.Approval;
import org.idcguard.model.TaskView;

/**
 * The four-eyes rule: with it on, a DR promotion or a cluster deletion asked by one admin is recorded and refused
 * (409, naming the approval) until a second admin approves it; the approval then starts it as the admin who asked,
 * with their reason, and records who approved. No peer product has this; banks ask for it.
 */
public final class Approvals {
    public static final String DR_PROMOTION = "dr-promotion";
    public static final String CLUSTER_DELETION = "cluster-deletion";
    static final Duration LIFETIME = Duration.ofHours(1);
    private static final String COLUMNS = "id, kind, subject, what, requested_by, reason, requested_millis, expires_millis, "
            + "state, decided_by, decided_millis, task_id";
    private final MetadataStore store;
    private final EventLog events;
    /** How each kind is started once approved: from its subject and the request as asked (JSON). */
    private final Map<String, BiFunction<String, String, TaskView>> runners = new ConcurrentHashMap<>();

    public Approvals(MetadataStore store, EventLog events) {
        this.store = store;
        this.events = events;
    }

    public void runner(String kind, BiFunction<String, String, TaskView> run) {
        runners.put(kind, run);
    }

    public AccessSettings settings() {
        return store.inTransaction(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT four_eyes FROM access_setting WHERE id = 1")) {
                rs.next();
                return new AccessSettings(rs.getBoolean(1));
            }
        });
    }

    public AccessSettings update(AccessSettings wanted) {
        if (wanted == null) {
            throw new ApiFailure(400, "The request needs {\"fourEyes\": true or false}.", "fourEyes");
        }
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE access_setting SET four_eyes = ? WHERE id = 1")) {
                st.setBoolean(1, wanted.fourEyes());
                st.executeUpdate();
            }
            events.record(c, "settings.access", "manager", wanted.fourEyes()
                    ? "The four-eyes rule is on: a DR promotion or a cluster deletion waits for a second admin's approval."
                    : "The four-eyes rule is off: one admin may promote the DR city or delete a cluster.");
            return wanted;
        });
    }

    /**
     * Starts the operation at once, or, with the rule on, records it for a second admin and refuses with the approval's
     * number. The request is checked first, so a request that would be refused anyway is not held for approval.
     */
    public TaskView guard(String kind, String subject, String request, String what, Runnable check,
                          java.util.function.Supplier<TaskView> start) {
        if (!settings().fourEyes()) {
            return start.get();
        }
        check.run();
        Actor asker = Actor.current().orElseThrow(() -> new IllegalStateException("an operation without an operator"));
        long now = System.currentTimeMillis();
        long id = store.inTransaction(c -> {
            long made;
            try (PreparedStatement st = c.prepareStatement("INSERT INTO approval (kind, subject, request, what, requested_by, reason, "
                    + "requested_millis, expires_millis, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting')", Statement.RETURN_GENERATED_KEYS)) {
                st.setString(1, kind);
                st.setString(2, subject);
                st.setString(3, request);
                st.setString(4, what);
                st.setString(5, asker.name());
                st.setString(6, asker.reason());
                st.setLong(7, now);
                st.setLong(8, now + LIFETIME.toMillis());
                st.executeUpdate();
                ResultSet keys = st.getGeneratedKeys();
                keys.next();
                made = keys.getLong(1);
            }
            events.record(c, "approval.requested", subject, asker.name() + " asks a second admin to approve " + what
                    + " (approval " + made + ", until " + Instant.ofEpochMilli(now + LIFETIME.toMillis()) + ").");
            return made;
        });
        throw new ApiFailure(409, "The four-eyes rule holds " + what + " until a second admin approves it: approval " + id
                + " (./idcguard approval approve " + id + ", or the console's Tasks screen, within an hour).", "approval");
    }

    public List<Approval> list() {
        expire();
        return store.inTransaction(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + COLUMNS + " FROM approval ORDER BY id DESC LIMIT 200")) {
                List<Approval> all = new ArrayList<>();
                while (rs.next()) {
                    all.add(read(rs));
                }
                return all;
            }
        });
    }

    /** A second admin approves: the operation starts as the admin who asked, and the approval records who approved. */
    public TaskView approve(long id) {
        Actor approver = Actor.current().orElseThrow();
        Approval a = waiting(id, approver, "approve");
        if (!claim(id, "starting", approver.name())) {
            throw ApiFailure.conflict("approval", "Approval " + id + " was decided meanwhile.");
        }
        TaskView task;
        try {
            task = Actor.as(new Actor(a.requestedBy(), Role.ADMIN, (a.reason() == null ? "" : a.reason() + "; ")
                    + "approved by " + approver.name()), () -> runners.get(a.kind()).apply(a.subject(), request(id)));
        } catch (ApiFailure refused) {
            finish(id, "failed", null, "approval.failed", a.subject(), approver.name() + " approved " + a.what() + " (approval "
                    + id + "), but it was refused: " + refused.getMessage());
            throw refused;
        } catch (Exception e) {
            finish(id, "failed", null, "approval.failed", a.subject(), approver.name() + " approved " + a.what() + " (approval "
                    + id + "), but it failed to start: " + e.getMessage());
            throw new IllegalStateException(e.getMessage(), e);
        }
        finish(id, "approved", task.id(), "approval.granted", a.subject(), approver.name() + " approved " + a.what()
                + ", asked by " + a.requestedBy() + " (approval " + id + "): task " + task.id() + " started it.");
        return task;
    }

    public Approval reject(long id) {
        Actor decider = Actor.current().orElseThrow();
        Approval a = waiting(id, null, "reject");
        if (!claim(id, "rejected", decider.name())) {
            throw ApiFailure.conflict("approval", "Approval " + id + " was decided meanwhile.");
        }
        events.record("approval.rejected", a.subject(), decider.name() + " rejected " + a.what() + ", asked by "
                + a.requestedBy() + " (approval " + id + ").");
        return find(id);
    }

    /** The approval, still waiting and not expired; with an approver, one who is not its asker. */
    private Approval waiting(long id, Actor approver, String verb) {
        expire();
        Approval a = find(id);
        if (!"waiting".equals(a.state())) {
            throw ApiFailure.conflict("approval", "Approval " + id + " is " + a.state() + (a.decidedBy() == null ? "" : " (by "
                    + a.decidedBy() + ")") + ": there is nothing to " + verb + ".");
        }
        if (approver != null && approver.name().equals(a.requestedBy())) {
            throw new ApiFailure(403, "A second admin must approve " + a.what() + ": " + a.requestedBy()
                    + " asked for it and may not approve it too.", "approval");
        }
        return a;
    }

    private boolean claim(long id, String state, String by) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE approval SET state = ?, decided_by = ?, decided_millis = ? "
                    + "WHERE id = ? AND state = 'waiting'")) {
                st.setString(1, state);
                st.setString(2, by);
                st.setLong(3, System.currentTimeMillis());
                st.setLong(4, id);
                return st.executeUpdate() == 1;
            }
        });
    }

    private void finish(long id, String state, Long taskId, String kind, String subject, String message) {
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE approval SET state = ?, task_id = ? WHERE id = ?")) {
                st.setString(1, state);
                st.setObject(2, taskId);
                st.setLong(3, id);
                st.executeUpdate();
            }
            events.record(c, kind, subject, message);
            return null;
        });
    }

    private void expire() {
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE approval SET state = 'expired' WHERE state = 'waiting' "
                    + "AND expires_millis < ?")) {
                st.setLong(1, System.currentTimeMillis());
                st.executeUpdate();
            }
            return null;
        });
    }

    private Approval find(long id) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM approval WHERE id = ?")) {
                st.setLong(1, id);
                ResultSet rs = st.executeQuery();
                if (!rs.next()) {
                    throw ApiFailure.notFound("There is no approval " + id + ".");
                }
                return read(rs);
            }
        });
    }

    private String request(long id) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT request FROM approval WHERE id = ?")) {
                st.setLong(1, id);
                ResultSet rs = st.executeQuery();
                rs.next();
                return rs.getString(1);
            }
        });
    }

    private static Approval read(ResultSet rs) throws java.sql.SQLException {
        long task = rs.getLong(12);
        return new Approval(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getLong(7), rs.getLong(8), rs.getString(9), rs.getString(10), rs.getLong(11), rs.wasNull() ? null : task);
    }
}
