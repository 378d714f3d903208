package org.idcguard.agent.manager.ha;

import static org.idcguard.agent.testing.BarePostgres.number;
import static org.idcguard.agent.testing.BarePostgres.sql;
import static org.idcguard.agent.testing.BarePostgres.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.agent.testing.BarePostgres;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The premise of {@link SyncSetKeeper}'s two-probe rule, on real PostgreSQL: pg_reload_conf() returns before the WAL
 * senders reread synchronous_standby_names, and until a WAL sender has, pg_stat_replication still counts it (its
 * sync_state stays "quorum", from the priority the WAL sender itself keeps in shared memory; the reading session's
 * own setting does not change that). So the keeper may take "async" as the sign that a standby left out no longer
 * releases commits, and nothing earlier. A primary and two standbys a and b, no node agent; b's WAL sender is held
 * with SIGSTOP across the narrowing so it cannot reread the setting in time.
 */
class WalSenderReloadTest {
    private static final int PORT_PRIMARY = 58491;
    private static final int PORT_A = 58492;
    private static final int PORT_B = 58493;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How long b's stopped WAL sender is watched after the reload returned. */
    private static final long HELD_MILLIS = 2000;

    @AutoClose
    private BarePostgres servers;

    @Test
    void aWalSenderThatHasNotReadTheNarrowedSettingIsStillShownAsQuorumAndTurnsAsyncOnceItHas() throws Exception {
        servers = new BarePostgres("idcg-walsender-reload-");
        Path p = servers.dataDir("p");
        servers.initdb(p, "");
        servers.start(p, PORT_PRIMARY);
        for (var standby : List.of(new Object[] {"a", PORT_A}, new Object[] {"b", PORT_B})) {
            String name = (String) standby[0];
            Path dir = servers.dataDir(name);
            servers.basebackup(dir, PORT_PRIMARY);
            // the application_name the primary names it by, as a node agent's primary_conninfo carries the node name
            Files.writeString(dir.resolve("postgresql.auto.conf"), "primary_conninfo = 'host=127.0.0.1 port=" + PORT_PRIMARY
                    + " user=postgres application_name=" + name + "'\n", StandardOpenOption.APPEND);
            servers.start(dir, (Integer) standby[1]);
        }
        sql(PORT_PRIMARY, "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (a, b)'", "SELECT pg_reload_conf()");
        Waits.until(WAIT, "a and b stream from the primary and are both counted (quorum)",
                () -> "a=quorum b=quorum".equals(states()));
        sql(PORT_PRIMARY, "CREATE TABLE t (v int)", "INSERT INTO t VALUES (1)");

        // A control first, not asserted (it is a race): how long a live WAL sender takes to reread a narrowing.
        long liveMillis = narrowAndTime("ANY 1 (a)");
        System.out.println("[walsender-reload] live WAL sender of b: async " + liveMillis + " ms after pg_reload_conf() returned");
        sql(PORT_PRIMARY, "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (a, b)'", "SELECT pg_reload_conf()");
        Waits.until(WAIT, "b is counted again", () -> "a=quorum b=quorum".equals(states()));

        // Now b's WAL sender cannot reread the setting: it is stopped across the narrowing.
        long senderOfB = number(PORT_PRIMARY, "SELECT pid FROM pg_stat_replication WHERE application_name = 'b'");
        boolean stopped = false;
        try {
            BarePostgres.signal("STOP", List.of(senderOfB));
            stopped = true;
            sql(PORT_PRIMARY, "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (a)'", "SELECT pg_reload_conf()");
            long reloaded = System.nanoTime();
            // The reader's own session has the new setting (a new session reads the file afresh) ...
            assertEquals("ANY 1 (a)", text(PORT_PRIMARY, "SHOW synchronous_standby_names"), "the setting a new session reads");
            // ... and a commit goes on, acknowledged by a, while b's WAL sender is frozen
            sql(PORT_PRIMARY, "INSERT INTO t VALUES (2)");
            List<String> seen = new ArrayList<>();
            while (System.nanoTime() - reloaded < HELD_MILLIS * 1_000_000L) {
                seen.add(states());
                Thread.sleep(100);
            }
            String after = states();
            String priority = text(PORT_PRIMARY, "SELECT string_agg(application_name || '=' || sync_priority, ' ' "
                    + "ORDER BY application_name) FROM pg_stat_replication");
            long heldMillis = (System.nanoTime() - reloaded) / 1_000_000;
            System.out.println("[walsender-reload] b's WAL sender stopped: " + seen.size() + " reads over " + heldMillis
                    + " ms after pg_reload_conf() returned, distinct: " + seen.stream().distinct().toList() + "; then "
                    + after + ", sync_priority " + priority);
            assertEquals(List.of("a=quorum b=quorum"), seen.stream().distinct().toList(),
                    "pg_stat_replication while b's WAL sender had not reread the setting");
            assertEquals("a=quorum b=quorum", after, HELD_MILLIS + " ms after the reload, b's WAL sender is still counted");

            BarePostgres.signal("CONT", List.of(senderOfB));
            stopped = false;
            long resumed = System.nanoTime();
            Waits.until(WAIT, "b turns async once its WAL sender runs and rereads the setting",
                    () -> "a=quorum b=async".equals(states()));
            System.out.println("[walsender-reload] b's WAL sender resumed: async " + (System.nanoTime() - resumed) / 1_000_000
                    + " ms after SIGCONT, sync_priority " + text(PORT_PRIMARY, "SELECT string_agg(application_name || '=' "
                    + "|| sync_priority, ' ' ORDER BY application_name) FROM pg_stat_replication"));
        } finally {
            if (stopped) {
                BarePostgres.signal("CONT", List.of(senderOfB));
            }
        }
        assertEquals(senderOfB, number(PORT_PRIMARY, "SELECT pid FROM pg_stat_replication WHERE application_name = 'b'"),
                "the same WAL sender, not a new connection of b, turned async");
    }

    /** Narrows and returns how long after pg_reload_conf() returned b was first shown async. */
    private static long narrowAndTime(String syncNames) throws Exception {
        sql(PORT_PRIMARY, "ALTER SYSTEM SET synchronous_standby_names = '" + syncNames + "'", "SELECT pg_reload_conf()");
        long reloaded = System.nanoTime();
        long deadline = reloaded + WAIT.toNanos();
        while (!states().contains("b=async")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("b never turned async: " + states());
            }
            Thread.sleep(1);
        }
        return (System.nanoTime() - reloaded) / 1_000_000;
    }

    /** The standbys streaming from the primary with their sync_state, e.g. "a=quorum b=async". */
    private static String states() {
        return text(PORT_PRIMARY, "SELECT coalesce(string_agg(application_name || '=' || sync_state, ' ' "
                + "ORDER BY application_name), '') FROM pg_stat_replication WHERE state = 'streaming'");
    }
}
