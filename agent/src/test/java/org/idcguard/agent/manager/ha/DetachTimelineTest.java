package org.idcguard.agent.manager.ha;

import static org.idcguard.agent.testing.BarePostgres.number;
import static org.idcguard.agent.testing.BarePostgres.sql;
import static org.idcguard.agent.testing.BarePostgres.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.PgSession;
import org.idcguard.agent.testing.BarePostgres;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Which timeline {@link NodeSql#detach} reports for a standby whose upstream was killed, on real PostgreSQL: three bare
 * servers, no node agent. A standby that follows a promoted node reads the old timeline in pg_control_checkpoint() until
 * its next restartpoint, and once its WAL receiver has exited pg_stat_wal_receiver shows nothing; the choice of the most
 * advanced standby must still see that it holds WAL of the new timeline.
 */
class DetachTimelineTest {
    private static final int PORT_A = 56471;
    private static final int PORT_B = 56472;
    private static final int PORT_C = 56473;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** No restartpoint in the test's lifetime (checkpoint_timeout), none for WAL volume either (max_wal_size). */
    private static final String CONF = """
            checkpoint_timeout = '1h'
            max_wal_size = '1GB'
            """;

    @AutoClose
    private BarePostgres servers;

    @Test
    void aStandbyOnTheNewTimelineWithoutARestartpointReportsThatTimelineOnceItsUpstreamIsKilled() throws Exception {
        servers = new BarePostgres("idcg-detach-tli-");
        Path a = servers.dataDir("a");
        Path b = servers.dataDir("b");
        Path c = servers.dataDir("c");
        servers.initdb(a, CONF);
        servers.start(a, PORT_A);
        sql(PORT_A, "CREATE TABLE t (v text)", "INSERT INTO t VALUES ('timeline 1')");
        for (Path standby : List.of(b, c)) {
            servers.basebackup(standby, PORT_A);
        }
        servers.start(b, PORT_B);
        servers.start(c, PORT_C);

        // The old primary dies with both standbys level; b is taken over, c follows it (the repoint of a takeover).
        long endOfTimeline1 = lsn(PORT_A, "SELECT pg_current_wal_flush_lsn()");
        for (int port : List.of(PORT_B, PORT_C)) {
            Waits.until(WAIT, "the standby on " + port + " replayed the old primary's WAL",
                    () -> lsn(port, "SELECT pg_last_wal_replay_lsn()") >= endOfTimeline1);
        }
        servers.kill(a);
        sql(PORT_B, "SELECT pg_promote()", "INSERT INTO t VALUES ('timeline 2')");
        long onTimeline2 = lsn(PORT_B, "SELECT pg_current_wal_flush_lsn()");
        sql(PORT_C, "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=" + PORT_B + " user=postgres'",
                "SELECT pg_reload_conf()");
        Waits.until(WAIT, "c streams timeline 2 from b and received b's commit",
                () -> number(PORT_C, "SELECT coalesce(max(received_tli), 0) FROM pg_stat_wal_receiver") == 2
                        && lsn(PORT_C, "SELECT pg_last_wal_receive_lsn()") >= onTimeline2);

        // The new primary dies too: c's WAL receiver exits and nothing shows the timeline it streamed.
        servers.kill(b);
        Waits.until(WAIT, "c's WAL receiver exited", () -> number(PORT_C, "SELECT count(*) FROM pg_stat_wal_receiver") == 0);
        // The premise: pg_control still names timeline 1, while pg_wal holds segments of timeline 1 beside timeline 2's.
        assertEquals(1, number(PORT_C, "SELECT timeline_id FROM pg_control_checkpoint()"),
                "c made a restartpoint since it followed b: the test no longer shows what it is about");
        assertTrue(number(PORT_C, "SELECT count(*) FROM pg_ls_waldir() WHERE name ~ '^00000001[0-9A-F]{16}$'") > 0,
                "c's pg_wal still holds timeline 1's segments");

        WalPosition at;
        // the session a manager hands detach
        try (Connection db = PgSession.open("127.0.0.1", PORT_C, "postgres", "postgres", "", 3)) {
            at = NodeSql.detach(db, new NodeRecord("c", "detach", "g0", "idc", "127.0.0.1", "", PORT_C, c.toString(),
                    "standby", false));
        }
        assertEquals(2, at.timeline(), "c holds WAL of timeline 2 and reported " + at);
        assertTrue(at.atLeast(new WalPosition(2, onTimeline2)), "c received b's commit on timeline 2, yet reported " + at);
    }

    private static long lsn(int port, String query) {
        return Lsn.parse(text(port, "SELECT (" + query + ")::text"));
    }
}
