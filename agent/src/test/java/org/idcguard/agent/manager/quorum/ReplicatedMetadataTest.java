package org.idcguard.agent.manager.quorum;

import org.idcguard.agent.manager.journal.Journal;
import org.idcguard.agent.manager.journal.LogEntry;
import org.idcguard.agent.manager.journal.StatementRecorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways a manager keeps its metadata: a sole manager writes its H2 copy alone; a manager of a quorum appends
 * each write transaction to the log before its copy commits it, and every other copy applied from the log ends with the
 * same rows, generated ids included. The log here is a list; the ZooKeeper log is exercised by ManagerQuorumTest.
 */
class ReplicatedMetadataTest {

    /** A journal kept in memory, as the leader of one epoch. */
    static final class ListJournal implements Journal {
        final List<LogEntry> entries = new ArrayList<>();
        boolean refuse;

        @Override
        public long append(LogEntry entry) {
            if (refuse) {
                throw new NotLeading("deposed");
            }
            // through bytes, as to ZooKeeper and back
            entries.add(LogEntry.fromBytes(entry.toBytes()));
            return entries.size();
        }

        @Override
        public void behind(String why) {
            throw new AssertionError(why);
        }

        @Override
        public long epoch() {
            return 7;
        }
    }

    @Test
    void aFollowersCopyAppliedFromTheLogHasTheLeadersRowsAndIds(@TempDir Path dir) throws Exception {
        try (MetadataStore leader = MetadataStore.open(Files.createDirectories(dir.resolve("leader")));
             MetadataStore follower = MetadataStore.open(Files.createDirectories(dir.resolve("follower")))) {
            // the follower's id counter runs ahead of the leader's (a row made and gone, as after a crash skips ids)
            new EventLog(follower).record("test.gone", "s", "gone");
            follower.inTransaction(c -> c.createStatement().executeUpdate("DELETE FROM event"));
            leader.followQuorum();
            follower.followQuorum();
            ListJournal log = new ListJournal();
            leader.lead(log);
            EventLog events = new EventLog(leader);
            events.record("test.one", "s", "first");
            leader.inTransaction(c -> {
                try (PreparedStatement st = c.prepareStatement("INSERT INTO idc (name, province, city) VALUES (?, ?, ?)")) {
                    st.setString(1, "IDC1");
                    st.setString(2, "Guangdong");
                    st.setString(3, "Shenzhen");
                    st.executeUpdate();
                }
                events.record(c, "idc.added", "IDC1", "IDC IDC1 added.");
                return null;
            });
            leader.inTransaction(c -> rows(c, "SELECT name FROM idc")); // a read appends nothing
            assertEquals(2, log.entries.size());
            assertEquals(7, log.entries.get(0).epoch());

            for (int i = 0; i < log.entries.size(); i++) {
                follower.apply(i + 1, log.entries.get(i));
            }
            assertEquals(2, follower.appliedPosition());
            assertEquals(leader.appliedPosition(), follower.appliedPosition());
            List<String> leaderEvents = leader.inTransaction(c -> rows(c, "SELECT id, kind, subject, message FROM event ORDER BY id"));
            List<String> followerEvents = follower.inTransaction(c -> rows(c, "SELECT id, kind, subject, message FROM event ORDER BY id"));
            assertEquals(leaderEvents, followerEvents);
            assertEquals(2, leaderEvents.size());
            List<String> idcs = follower.inTransaction(c -> rows(c, "SELECT name, province, city FROM idc"));
            assertEquals(List.of("IDC1|Guangdong|Shenzhen"), idcs);
        }
    }

    @Test
    void aFollowerWritesNothingItselfAndADeposedLeaderChangesNothing(@TempDir Path dir) throws Exception {
        try (MetadataStore store = MetadataStore.open(dir)) {
            store.followQuorum();
            assertThrows(Journal.NotLeading.class, () -> new EventLog(store).record("test", "s", "refused"));
            ListJournal log = new ListJournal();
            store.lead(log);
            log.refuse = true;
            assertThrows(Journal.NotLeading.class, () -> new EventLog(store).record("test", "s", "refused too"));
            List<String> left = store.inTransaction(c -> rows(c, "SELECT message FROM event"));
            assertEquals(List.of(), left, "rolled back");
            assertEquals(0, store.appliedPosition());
        }
    }

    @Test
    void aSoleManagerWritesItsCopyAlone(@TempDir Path dir) throws Exception {
        try (MetadataStore store = MetadataStore.open(dir)) {
            new EventLog(store).record("test.one", "s", "kept");
            List<String> kept = store.inTransaction(c -> rows(c, "SELECT message FROM event"));
            assertEquals(List.of("kept"), kept);
            assertEquals(0, store.appliedPosition(), "no log");
        }
    }

    @Test
    void writeStatementsAreToldFromReads() {
        assertTrue(StatementRecorder.isWrite("UPDATE node SET role = ?"));
        assertTrue(StatementRecorder.isWrite(" insert into event VALUES (1)"));
        assertTrue(StatementRecorder.isWrite("SELECT * FROM replication_group WHERE name = ? FOR UPDATE"));
        assertTrue(!StatementRecorder.isWrite("select id from event"));
    }

    /**
     * Whoever could append to the log (the log's ACL admits managers only, this is the second wall) gets no statement
     * of ours run but the shapes our repositories issue: a forged entry that runs code, writes a file, changes the
     * schema or hides a second statement is refused where a manager applies it, and the copy does not move.
     */
    @Test
    void aForgedEntryIsRefusedWhereItIsAppliedAndChangesNothing(@TempDir Path dir) throws Exception {
        try (MetadataStore follower = MetadataStore.open(Files.createDirectories(dir.resolve("follower")))) {
            follower.followQuorum();
            follower.apply(1, entry("INSERT INTO idc (name, province, city) VALUES (?, ?, ?)", "IDC1", "Guangdong", "Shenzhen"));
            List<String> forged = List.of(
                    "CREATE ALIAS EXEC AS 'String e(String c) throws Exception { return \"\"; }'",
                    "CALL CSVWRITE('/tmp/idcguard-forged.csv', 'SELECT * FROM cluster')",
                    "INSERT INTO idc (name, province, city) VALUES (?, ?, ?); DROP TABLE cluster",
                    "UPDATE idc SET city = FILE_READ('/etc/hostname') WHERE name = ?",
                    "DELETE FROM flyway_schema_history WHERE 1 = ?",
                    "UPDATE quorum_position SET applied = ? WHERE id = 1",
                    "INSERT INTO idc (name, province, city) /* x */ VALUES (?, ?, ?)",
                    "RUNSCRIPT FROM '/tmp/idcguard-forged.sql'");
            for (String sql : forged) {
                Object[] params = sql.contains("VALUES (?, ?, ?)") ? new Object[] {"IDC9", "X", "Y"}
                        : sql.contains("?") ? new Object[] {"IDC1"} : new Object[0];
                IllegalStateException refused = assertThrows(IllegalStateException.class,
                        () -> follower.apply(2, entry(sql, params)), sql);
                assertTrue(refused.getMessage().contains("The managers' log carries"), refused.getMessage());
                assertEquals(1, follower.appliedPosition(), "the copy stays where it was after " + sql);
            }
            // the table named for a generated id is pasted into SQL: only the INSERT's own table of generated ids passes
            for (String table : List.of("EVENT; CREATE ALIAS X AS 'String x() { return null; }'", "IDC", "ALERT")) {
                var forgedKey = new LogEntry(7, List.of(new org.idcguard.agent.manager.journal.LoggedStatement(
                        "INSERT INTO event (time_millis, kind, subject, message) VALUES (?, ?, ?, ?)",
                        List.of(1L, "k", "s", "m"), table, 1L)));
                IllegalStateException refused = assertThrows(IllegalStateException.class, () -> follower.apply(2, forgedKey), table);
                assertTrue(refused.getMessage().contains("generated id"), refused.getMessage());
                assertEquals(1, follower.appliedPosition());
            }
            try (var c = follower.connection()) {
                assertEquals(List.of("IDC1"), rows(c, "SELECT name FROM idc"));
                assertEquals(List.of("Shenzhen"), rows(c, "SELECT city FROM idc"));
            }
            assertTrue(!Files.exists(Path.of("/tmp/idcguard-forged.csv")), "no file was written");
        }
    }

    /** The leader records only what followers would apply: a write of another shape is refused before it runs. */
    @Test
    void theLeaderRefusesToRecordAStatementOfAnotherShape(@TempDir Path dir) throws Exception {
        try (MetadataStore leader = MetadataStore.open(Files.createDirectories(dir.resolve("leader")))) {
            leader.followQuorum();
            ListJournal log = new ListJournal();
            leader.lead(log);
            assertThrows(RuntimeException.class, () -> leader.inTransaction(c ->
                    c.createStatement().executeUpdate("CREATE TABLE intruder (id INT)")));
            assertTrue(log.entries.isEmpty(), "nothing reached the log");
            try (var c = leader.connection()) {
                assertTrue(rows(c, "SELECT table_name FROM information_schema.tables WHERE table_name = 'INTRUDER'").isEmpty(),
                        "the statement did not run");
            }
        }
    }

    private static LogEntry entry(String sql, Object... params) {
        return new LogEntry(7, List.of(new org.idcguard.agent.manager.journal.LoggedStatement(sql, List.of(params), null, null)));
    }

    private static List<String> rows(java.sql.Connection c, String sql) throws java.sql.SQLException {
        List<String> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    cells.add(rs.getString(i));
                }
                rows.add(String.join("|", cells));
            }
        }
        return rows;
    }
}
