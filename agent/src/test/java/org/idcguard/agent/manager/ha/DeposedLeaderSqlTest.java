package org.idcguard.agent.manager.ha;

import static org.idcguard.agent.testing.BarePostgres.number;
import static org.idcguard.agent.testing.BarePostgres.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeEpoch;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.PgSession;
import org.idcguard.agent.testing.BarePostgres;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A leader of a quorum that passed its static permission ({@link PgSession#checkMayChange()}) and then stalled, woken
 * after a newer leader acted on a node, must change nothing there over SQL. Real PostgreSQL, a primary a and a standby
 * b, no node agent; the production {@link NodeSql} statements run with the epoch this JVM's manager is given: 8 for the
 * new leader, 7 for the deposed one. The deposed leader's gate stays open, as it would for a leader that passed the
 * check before it was paused.
 */
class DeposedLeaderSqlTest {
    private static final int PORT_A = 58471;
    private static final int PORT_B = 58472;
    /** Where the deposed leader would point b: nothing listens there. */
    private static final int PORT_ELSEWHERE = 58479;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @AutoClose
    private BarePostgres servers;
    private final AtomicLong epoch = new AtomicLong();

    @AfterEach
    void openTheGate() {
        PgSession.gateChanges(() -> true, () -> 0);
    }

    @Test
    void aDeposedLeaderPausedPastItsCheckNeitherPromotesNorChangesSettingsOnceTheNewLeaderRaisedItsEpoch() throws Exception {
        servers = new BarePostgres("idcg-epoch-fence-");
        Path a = servers.dataDir("a");
        Path b = servers.dataDir("b");
        servers.initdb(a, "");
        servers.start(a, PORT_A);
        servers.basebackup(b, PORT_A);
        servers.start(b, PORT_B);
        ClusterRecord cluster = new ClusterRecord("fence", "sharded", "city", "IDC1", "IDC2", 0, 1, "postgres", "app", "",
                "postgres", "", "strict", "ready");
        NodeRecord primary = new NodeRecord("a", "fence", "g0", "IDC1", "127.0.0.1", "", PORT_A, a.toString(), "primary", false);
        NodeRecord standby = new NodeRecord("b", "fence", "g0", "IDC2", "127.0.0.1", "", PORT_B, b.toString(), "standby", false);
        NodeRecord elsewhere = new NodeRecord("x", "fence", "g0", "IDC2", "127.0.0.1", "", PORT_ELSEWHERE, "", "standby", false);
        // The gate a leader passed before it stalled: open for both, only the epoch differs.
        PgSession.gateChanges(() -> true, epoch::get);

        // The leader of epoch 7 at work: a waits for b, b streams from a. Then it stalls with sessions open and its
        // permission given: it goes on below, as if nothing had happened.
        epoch.set(7);
        NodeSql.setSyncStandbys(cluster, primary, List.of("b"));
        NodeSql.repoint(cluster, standby, primary);
        Connection stalledOnA = PgSession.admin(cluster, primary, "postgres");
        Connection stalledOnB = PgSession.admin(cluster, standby, "postgres");
        Connection checkedOnB = PgSession.admin(cluster, standby, "postgres");
        NodeEpoch.admit(checkedOnB); // the whole check passed on this one, just before the stall
        Waits.until(WAIT, "b streams from a", () -> number(PORT_B, "SELECT count(*) FROM pg_stat_wal_receiver "
                + "WHERE status = 'streaming'") == 1);
        String syncNames = fileSetting(PORT_A, "synchronous_standby_names");
        String conninfo = fileSetting(PORT_B, "primary_conninfo");

        // The leader of epoch 8 takes over: the fence rises on b at its first change there (a repoint to where b already
        // streams from), and on a when it takes the lead, as ManagerServer does for every node.
        epoch.set(8);
        long before = System.nanoTime();
        NodeSql.repoint(cluster, standby, primary);
        long firstChangeMicros = (System.nanoTime() - before) / 1000;
        NodeEpoch.raiseEverywhere(List.of(java.util.Map.entry(cluster, primary)));
        Waits.until(WAIT, "a is fenced with epoch 8", () -> "8".equals(fileSetting(PORT_A, "idcguard.epoch")));
        Waits.until(WAIT, "b still streams from a", () -> number(PORT_B, "SELECT count(*) FROM pg_stat_wal_receiver "
                + "WHERE status = 'streaming'") == 1);
        conninfo = fileSetting(PORT_B, "primary_conninfo");

        // The deposed leader wakes. Over its old sessions (ended by the raise) and over new ones, nothing goes through.
        epoch.set(7);
        List<String> refusals = new ArrayList<>();
        refusals.add(refused("pg_promote over a new session", () -> NodeSql.promote(cluster, standby)));
        refusals.add(refused("pg_promote over its open session", () -> NodeSql.promote(stalledOnB, standby)));
        refusals.add(refused("the sync set over its open session", () -> NodeSql.setSyncStandbys(stalledOnA, List.of("x"))));
        refusals.add(refused("the sync set over a new session", () -> NodeSql.setSyncStandbys(cluster, primary, List.of("x"))));
        refusals.add(refused("primary_conninfo over a new session", () -> NodeSql.repoint(cluster, standby, elsewhere)));
        // past the whole check, the session itself is gone: the change after it cannot follow
        refusals.add(refused("its checked session's own ALTER SYSTEM", () -> {
            try (Statement st = checkedOnB.createStatement()) {
                st.execute("ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=" + PORT_ELSEWHERE + "'");
            }
        }));
        refusals.forEach(r -> System.out.println("[epoch-fence] epoch 7 refused: " + r));
        assertTrue(refusals.stream().filter(r -> r.startsWith("pg_promote over a new") || r.startsWith("the sync set over a new")
                || r.startsWith("primary_conninfo")).allMatch(r -> r.contains("deposed")), "new sessions are refused by the "
                + "fence itself: " + refusals);

        // A promotion asked for would show within a second; none was, and the settings stay as the new leader left them.
        Thread.sleep(1000);
        assertEquals(1, number(PORT_B, "SELECT count(*) WHERE pg_is_in_recovery()"), "b left recovery for the deposed leader");
        assertEquals(0, number(PORT_B, "SELECT count(*) FROM pg_ls_dir('.') WHERE pg_ls_dir = 'promote'"),
                "a promotion is pending on b");
        assertEquals(syncNames, fileSetting(PORT_A, "synchronous_standby_names"), "a's sync set in postgresql.auto.conf");
        assertEquals(syncNames, running(PORT_A, "synchronous_standby_names"), "a's running sync set");
        assertEquals(conninfo, fileSetting(PORT_B, "primary_conninfo"), "b's primary_conninfo in postgresql.auto.conf");
        assertEquals(conninfo, running(PORT_B, "primary_conninfo"), "b's running primary_conninfo");

        // The leader of epoch 8 still changes both: it empties a's sync set and promotes b. A check costs it one read.
        epoch.set(8);
        long checks = 20;
        before = System.nanoTime();
        try (Connection db = PgSession.admin(cluster, standby, "postgres")) {
            for (int i = 0; i < checks; i++) {
                NodeEpoch.admit(db);
            }
        }
        long checkMicros = (System.nanoTime() - before) / 1000 / checks;
        NodeSql.setSyncStandbys(cluster, primary, List.of());
        assertEquals("", running(PORT_A, "synchronous_standby_names"), "epoch 8 set a's sync set");
        NodeSql.promote(cluster, standby);
        assertEquals(0, number(PORT_B, "SELECT count(*) WHERE pg_is_in_recovery()"), "epoch 8 promoted b");
        System.out.println("[epoch-fence] epoch 8: first change on b (raise included) " + firstChangeMicros
                + " us; each later check " + checkMicros + " us");
        for (Connection c : List.of(stalledOnA, stalledOnB, checkedOnB)) {
            c.close();
        }
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    /** What the deposed leader was told, or fails the test if it went through. */
    private static String refused(String what, SqlWork work) {
        SQLException e = assertThrows(SQLException.class, work::run, "the deposed leader's " + what + " went through");
        return what + ": " + e.getMessage();
    }

    /** The value the node's configuration files give a setting now (what a reload would apply), "" when none. */
    private static String fileSetting(int port, String name) {
        return text(port, "SELECT coalesce(max(setting), '') FROM pg_file_settings WHERE name = '" + name + "'");
    }

    private static String running(int port, String name) {
        return text(port, "SELECT current_setting('" + name + "')");
    }
}
