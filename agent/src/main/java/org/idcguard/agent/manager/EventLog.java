package org.idcguard.agent.manager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.agent.manager.actor.Actor;
import org.idcguard.model.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The timeline: every change the manager makes or sees, as a sentence, also logged. */
public final class EventLog {
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);
    private final Transactions store;

    public EventLog(Transactions store) {
        this.store = store;
    }

    /**
     * Records the event in the caller's transaction, so it exists exactly when the change does. It names the operator
     * whose request this thread serves, and their reason, if any (see {@link Actor}).
     */
    public void record(Connection c, String kind, String subject, String message) throws SQLException {
        java.util.Optional<Actor> actor = Actor.current();
        insert(c, kind, subject, message, actor.map(Actor::name).orElse(null), actor.map(Actor::reason).orElse(null));
    }

    /** Records an event done by the named operator outside a request of theirs (a login). */
    public void recordAs(Connection c, String operator, String kind, String subject, String message) throws SQLException {
        insert(c, kind, subject, message, operator, null);
    }

    private void insert(Connection c, String kind, String subject, String message, String actor, String reason) throws SQLException {
        long now = System.currentTimeMillis();
        long id;
        try (PreparedStatement st = c.prepareStatement("INSERT INTO event (time_millis, kind, subject, message, actor, reason) "
                + "VALUES (?, ?, ?, ?, ?, ?)", java.sql.Statement.RETURN_GENERATED_KEYS)) {
            st.setLong(1, now);
            st.setString(2, kind);
            st.setString(3, subject);
            st.setString(4, message);
            st.setString(5, actor);
            st.setString(6, reason);
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
        if (actor == null) {
            log.info("[{}] {}: {}", kind, subject, message);
        } else {
            log.info("[{}] {}: {} (by {}{})", kind, subject, message, actor, reason == null ? "" : ", reason: " + reason);
        }
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
                    "SELECT id, time_millis, kind, subject, message, actor, reason FROM event WHERE id > ? ORDER BY id LIMIT ?")) {
                st.setLong(1, afterId);
                st.setInt(2, limit);
                ResultSet rs = st.executeQuery();
                List<Event> events = new ArrayList<>();
                while (rs.next()) {
                    events.add(read(rs));
                }
                return events;
            }
        });
    }

    /**
     * What operators did, newest first: the events that name an actor, narrowed by operator, by subject (a cluster,
     * an IDC, a computer or a group: the subject itself, or the cluster of a group such as "Orders/shard1"), by kind
     * (a prefix: "dr." matches every DR event) and by time.
     */
    public List<Event> audit(AuditQuery q) {
        StringBuilder sql = new StringBuilder("SELECT id, time_millis, kind, subject, message, actor, reason FROM event WHERE actor IS NOT NULL");
        List<Object> args = new ArrayList<>();
        if (q.operator() != null) {
            sql.append(" AND actor = ?");
            args.add(q.operator());
        }
        if (q.subject() != null) {
            sql.append(" AND (subject = ? OR subject LIKE ?)");
            args.add(q.subject());
            args.add(q.subject().replace("%", "").replace("_", "") + "/%");
        }
        if (q.kind() != null) {
            sql.append(" AND kind LIKE ?");
            args.add(q.kind().replace("%", "") + "%");
        }
        sql.append(" AND time_millis >= ? AND time_millis <= ? ORDER BY id DESC LIMIT ?");
        args.add(q.sinceMillis());
        args.add(q.untilMillis());
        args.add(q.limit());
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    st.setObject(i + 1, args.get(i));
                }
                ResultSet rs = st.executeQuery();
                List<Event> events = new ArrayList<>();
                while (rs.next()) {
                    events.add(read(rs));
                }
                return events;
            }
        });
    }

    /** Filters of {@link #audit}; null means any. */
    public record AuditQuery(String operator, String subject, String kind, long sinceMillis, long untilMillis, int limit) {
    }

    private static Event read(ResultSet rs) throws SQLException {
        return new Event(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7));
    }
}
