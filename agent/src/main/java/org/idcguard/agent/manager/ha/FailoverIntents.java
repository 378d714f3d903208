package org.idcguard.agent.manager.ha;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Failovers as the manager intends and progresses them: a row is written before anything is done to a node and
 * its step is moved on after each action, so a manager restarted mid-failover knows what it was doing.
 */
final class FailoverIntents {
    record Intent(long id, IntentKind kind, String cluster, String group, String oldPrimary, String candidate, String reason,
                  IntentStep step) {

        /** Whether pg_promote may have been sent to the candidate, so that only rolling forward is safe. */
        boolean mayHavePromoted() {
            return step.mayHavePromoted();
        }
    }

    /** An intent as it is opened: recorded at its first step before anything is done to a node. */
    record Opening(IntentKind kind, String cluster, String group, String oldPrimary, String candidate, String reason) {
    }

    long insert(Connection c, Opening o) throws SQLException {
        IntentKind kind = o.kind();
        String reason = o.reason();
        try (PreparedStatement st = c.prepareStatement("INSERT INTO failover (cluster, group_name, old_primary, candidate, reason, "
                + "step, started_millis, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            st.setString(1, o.cluster());
            st.setString(2, o.group());
            st.setString(3, o.oldPrimary());
            st.setString(4, o.candidate());
            st.setString(5, reason.length() > 2000 ? reason.substring(0, 2000) : reason);
            st.setString(6, IntentStep.CHOSEN.stored());
            st.setLong(7, System.currentTimeMillis());
            st.setString(8, kind.stored());
            st.executeUpdate();
            ResultSet keys = st.getGeneratedKeys();
            keys.next();
            return keys.getLong(1);
        }
    }

    /** Moves the intent on; refused (IllegalStateException) when its kind's state machine does not allow the move. */
    void step(Connection c, long id, IntentStep step) throws SQLException {
        try (PreparedStatement now = c.prepareStatement("SELECT kind, step FROM failover WHERE id = ?")) {
            now.setLong(1, id);
            ResultSet rs = now.executeQuery();
            if (!rs.next()) {
                throw new IllegalStateException("there is no intent " + id);
            }
            IntentKind kind = IntentKind.fromStored(rs.getString(1));
            IntentStep from = IntentStep.fromStored(rs.getString(2));
            if (!kind.allows(from, step)) {
                throw new IllegalStateException("intent " + id + " (" + kind + ") cannot move from " + from + " to " + step);
            }
        }
        try (PreparedStatement st = c.prepareStatement("UPDATE failover SET step = ?, finished_millis = ? WHERE id = ?")) {
            st.setString(1, step.stored());
            st.setLong(2, step.isFinal() ? System.currentTimeMillis() : 0);
            st.setLong(3, id);
            st.executeUpdate();
        }
    }

    /** Ends an intent with the sentence that says how. */
    void end(Connection c, long id, IntentStep step, String outcome) throws SQLException {
        step(c, id, step);
        try (PreparedStatement st = c.prepareStatement("UPDATE failover SET outcome = ? WHERE id = ?")) {
            st.setString(1, outcome.length() > 2000 ? outcome.substring(0, 2000) : outcome);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    void changeCandidate(Connection c, long id, String candidate) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE failover SET candidate = ? WHERE id = ?")) {
            st.setString(1, candidate);
            st.setLong(2, id);
            st.executeUpdate();
        }
    }

    /** The intent as recorded now (its step may have moved on since it was read), empty when there is none. */
    java.util.Optional<Intent> find(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT id, kind, cluster, group_name, old_primary, candidate, reason, step "
                + "FROM failover WHERE id = ?")) {
            st.setLong(1, id);
            ResultSet rs = st.executeQuery();
            if (!rs.next()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new Intent(rs.getLong(1), IntentKind.fromStored(rs.getString(2)), rs.getString(3),
                    rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), IntentStep.fromStored(rs.getString(8))));
        }
    }

    List<Intent> unfinished(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT id, kind, cluster, group_name, old_primary, candidate, reason, step "
                + "FROM failover WHERE step NOT IN ('" + IntentStep.DONE.stored() + "', '" + IntentStep.ABANDONED.stored() + "') ORDER BY id")) {
            ResultSet rs = st.executeQuery();
            List<Intent> all = new ArrayList<>();
            while (rs.next()) {
                all.add(new Intent(rs.getLong(1), IntentKind.fromStored(rs.getString(2)), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), IntentStep.fromStored(rs.getString(8))));
            }
            return all;
        }
    }
}
