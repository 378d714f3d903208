package org.idcguard.agent.manager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.model.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The timeline: every change the manager makes or sees, as a sentence, also logged. */
public final class EventLog {
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);
    private final MetadataStore store;

    public EventLog(MetadataStore store) {
        this.store = store;
    }

    /** Records the event in the caller's transaction, so it exists exactly when the change does. */
    public void record(Connection c, String kind, String subject, String message) throws SQLException {
        long now = System.currentTimeMillis();
        long id;
        try (PreparedStatement st = c.prepareStatement("INSERT INTO event (time_millis, kind, subject, message) VALUES (?, ?, ?, ?)",
                java.sql.Statement.RETURN_GENERATED_KEYS)) {
            st.setLong(1, now);
            st.setString(2, kind);
            st.setString(3, subject);
            st.setString(4, message);
            st.executeUpdate();
            ResultSet keys = st.getGeneratedKeys();
            keys.next();
            id = keys.getLong(1);
        }
        // an alert exists exactly when its event does: same transaction
        java.util.Optional<String> level = AlertRules.level(kind);
        if (level.isPresent()) {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO alert (event_id, time_millis, level, kind, subject, message) "
                    + "VALUES (?, ?, ?, ?, ?, ?)")) {
                st.setLong(1, id);
                st.setLong(2, now);
                st.setString(3, level.get());
                st.setString(4, kind);
                st.setString(5, subject);
                st.setString(6, message);
                st.executeUpdate();
            }
        }
        log.info("[{}] {}: {}", kind, subject, message);
    }

    /** Records an event that goes with no change of the record (a notice, a step reached), in a transaction of its own. */
    public void record(String kind, String subject, String message) {
        store.inTransaction(c -> {
            record(c, kind, subject, message);
            return null;
        });
    }

    /** Events with an id above afterId, oldest first, at most limit of them. */
    public List<Event> after(long afterId, int limit) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT id, time_millis, kind, subject, message FROM event WHERE id > ? ORDER BY id LIMIT ?")) {
                st.setLong(1, afterId);
                st.setInt(2, limit);
                ResultSet rs = st.executeQuery();
                List<Event> events = new ArrayList<>();
                while (rs.next()) {
                    events.add(new Event(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
                return events;
            }
        });
    }
}
