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
    /** Recorded before anything is done: nothing has changed on any node yet, or standbys are being detached. */
    static final String CHOSEN = "chosen";
    /** Every standby that could acknowledge for the old primary is detached; positions are fixed; nothing promoted. */
    static final String DETACHED = "detached";
    /** pg_promote may have been sent: from here a failover only rolls forward. */
    static final String PROMOTING = "promoting";
    static final String DONE = "done";
    static final String ABANDONED = "abandoned";

    static final String FAILOVER = "failover";
    static final String SWITCH = "switch";
    /** A backup-city promotion the DBA confirmed: rolls forward from {@link #PROMOTING} like a failover. */
    static final String DR = "dr";

    record Intent(long id, String kind, String cluster, String group, String oldPrimary, String candidate, String reason, String step) {

        /** Whether pg_promote may have been sent to the candidate, so that only rolling forward is safe. */
        boolean mayHavePromoted() {
            return PROMOTING.equals(step);
        }
    }

    long insert(Connection c, String kind, String cluster, String group, String oldPrimary, String candidate, String reason)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO failover (cluster, group_name, old_primary, candidate, reason, "
                + "step, started_millis, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            st.setString(1, cluster);
            st.setString(2, group);
            st.setString(3, oldPrimary);
            st.setString(4, candidate);
            st.setString(5, reason.length() > 2000 ? reason.substring(0, 2000) : reason);
            st.setString(6, CHOSEN);
            st.setLong(7, System.currentTimeMillis());
            st.setString(8, kind);
            st.executeUpdate();
            ResultSet keys = st.getGeneratedKeys();
            keys.next();
            return keys.getLong(1);
        }
    }

    void step(Connection c, long id, String step) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE failover SET step = ?, finished_millis = ? WHERE id = ?")) {
            st.setString(1, step);
            st.setLong(2, DONE.equals(step) || ABANDONED.equals(step) ? System.currentTimeMillis() : 0);
            st.setLong(3, id);
            st.executeUpdate();
        }
    }

    /** Ends an intent with the sentence that says how. */
    void end(Connection c, long id, String step, String outcome) throws SQLException {
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

    List<Intent> unfinished(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT id, kind, cluster, group_name, old_primary, candidate, reason, step "
                + "FROM failover WHERE step NOT IN ('" + DONE + "', '" + ABANDONED + "') ORDER BY id")) {
            ResultSet rs = st.executeQuery();
            List<Intent> all = new ArrayList<>();
            while (rs.next()) {
                all.add(new Intent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8)));
            }
            return all;
        }
    }
}
