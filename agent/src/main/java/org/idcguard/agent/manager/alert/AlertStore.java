package org.idcguard.agent.manager.alert;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.model.Alert;
import org.idcguard.model.AlertSettings;

/** Alerts as the API lists them, their acknowledgement, and where they are forwarded. */
public final class AlertStore {
    /** Longer than any sane command line; a hook is a command, not a script. */
    static final int MAX_COMMAND = 1000;
    private static final String SELECT = "SELECT id, event_id, time_millis, level, kind, subject, message, acked_millis, acked_by FROM alert";
    private final MetadataStore store;
    private final EventLog events;

    public AlertStore(MetadataStore store, EventLog events) {
        this.store = store;
        this.events = events;
    }

    /** The newest alerts first; only open ones when asked. */
    public List<Alert> list(boolean openOnly, int limit) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(SELECT + (openOnly ? " WHERE acked_millis = 0" : "") + " ORDER BY id DESC LIMIT ?")) {
                st.setInt(1, limit);
                return read(st.executeQuery());
            }
        });
    }

    /** Alerts with an id above afterId, oldest first (for forwarding). */
    List<Alert> after(long afterId) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(SELECT + " WHERE id > ? ORDER BY id LIMIT 100")) {
                st.setLong(1, afterId);
                return read(st.executeQuery());
            }
        });
    }

    long newestId() {
        return store.inTransaction(c -> {
            ResultSet rs = c.createStatement().executeQuery("SELECT COALESCE(MAX(id), 0) FROM alert");
            rs.next();
            return rs.getLong(1);
        });
    }

    /** Acknowledges an alert; acknowledging one twice keeps the first time. */
    public Alert ack(long id) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE alert SET acked_millis = ?, acked_by = ? WHERE id = ? AND acked_millis = 0")) {
                st.setLong(1, System.currentTimeMillis());
                st.setString(2, org.idcguard.agent.manager.actor.Actor.currentName());
                st.setLong(3, id);
                if (st.executeUpdate() == 1) {
                    events.record(c, "alert.acknowledged", "alert " + id, "Alert " + id + " was acknowledged.");
                }
            }
            try (PreparedStatement st = c.prepareStatement(SELECT + " WHERE id = ?")) {
                st.setLong(1, id);
                List<Alert> found = read(st.executeQuery());
                if (found.isEmpty()) {
                    throw ApiFailure.notFound("There is no alert " + id + ".");
                }
                return found.get(0);
            }
        });
    }

    public AlertSettings settings() {
        return store.inTransaction(c -> {
            ResultSet rs = c.createStatement().executeQuery("SELECT command FROM alert_setting WHERE id = 1");
            rs.next();
            return new AlertSettings(rs.getString(1));
        });
    }

    /** Sets the forwarding command; blank clears it. The command itself is not echoed into the timeline. */
    public AlertSettings update(AlertSettings wanted) {
        String command = wanted == null || wanted.command() == null || wanted.command().isBlank() ? null : wanted.command().strip();
        if (command != null && command.length() > MAX_COMMAND) {
            throw new ApiFailure(400, "The alert command must be at most " + MAX_COMMAND + " characters.", "command");
        }
        if (command != null && (command.indexOf('\n') >= 0 || command.indexOf('\0') >= 0)) {
            throw new ApiFailure(400, "The alert command must be one line.", "command");
        }
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE alert_setting SET command = ? WHERE id = 1")) {
                st.setString(1, command);
                st.executeUpdate();
            }
            events.record(c, "settings.alerts", "alerts", command == null ? "Alerts are no longer forwarded to a command."
                    : "Each new alert is now given to the configured command as JSON on its standard input.");
            return new AlertSettings(command);
        });
    }

    private static List<Alert> read(ResultSet rs) throws java.sql.SQLException {
        List<Alert> alerts = new ArrayList<>();
        while (rs.next()) {
            alerts.add(new Alert(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6),
                    rs.getString(7), rs.getLong(8), rs.getString(9)));
        }
        return alerts;
    }
}
