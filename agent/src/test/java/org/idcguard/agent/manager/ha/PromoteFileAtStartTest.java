package org.idcguard.agent.manager.ha;

import static org.idcguard.agent.testing.BarePostgres.number;
import static org.idcguard.agent.testing.BarePostgres.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.idcguard.agent.testing.BarePostgres;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * What the switch's roll-back relies on when it stops and starts a candidate before it starts the old primary
 * ({@link IntentRecovery}), on real PostgreSQL: a promote request left in a standby's data directory does not survive
 * a start. The postmaster removes the signal file, so the standby comes back a standby, and a pg_promote that never
 * finished cannot finish later beside the old primary. Two bare servers, no node agent.
 */
class PromoteFileAtStartTest {
    private static final int PORT_PRIMARY = 56491;
    private static final int PORT_STANDBY = 56492;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @AutoClose
    private BarePostgres servers;

    @Test
    void aPromoteFileLeftInAStoppedStandbyIsRemovedAtItsStartAndItStaysAStandby() throws Exception {
        servers = new BarePostgres("idcg-promote-file-");
        Path primary = servers.dataDir("primary");
        Path standby = servers.dataDir("standby");
        servers.initdb(primary, "");
        servers.start(primary, PORT_PRIMARY);
        sql(PORT_PRIMARY, "CREATE TABLE t (v int)", "INSERT INTO t VALUES (1)");
        servers.basebackup(standby, PORT_PRIMARY);
        servers.start(standby, PORT_STANDBY);
        Waits.until(WAIT, "the standby streams", () -> number(PORT_STANDBY, "SELECT count(*) FROM pg_stat_wal_receiver") == 1);

        servers.kill(standby);
        Path promote = standby.resolve("promote");
        Files.createFile(promote); // what pg_promote writes, never taken up: the standby died first
        servers.start(standby, PORT_STANDBY);

        Waits.until(WAIT, "the restarted standby streams again",
                () -> number(PORT_STANDBY, "SELECT count(*) FROM pg_stat_wal_receiver") == 1);
        assertFalse(Files.exists(promote), "the start removed the promote file");
        sql(PORT_PRIMARY, "INSERT INTO t VALUES (2)");
        Waits.until(WAIT, "the standby replays what the primary writes after its start",
                () -> number(PORT_STANDBY, "SELECT count(*) FROM t") == 2);
        assertEquals(1, number(PORT_STANDBY, "SELECT pg_is_in_recovery()::int"), "it is still a standby, not promoted");
    }
}
