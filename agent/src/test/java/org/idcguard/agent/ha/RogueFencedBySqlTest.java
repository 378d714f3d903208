package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.Writers;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * A shard standby is promoted behind the manager's back (pg_promote on it directly) while its node agent is frozen
 * (SIGSTOP on the node agent alone; its PostgreSQL runs on), so the manager must fence it by SQL. Settings would not
 * do: the superuser, like any session, can turn default_transaction_read_only off and set synchronous_commit = local.
 * The rogue must stop taking commits from every role within a bound: it is stopped, so nobody connects. Once the
 * node agent is resumed the rogue is rewound and rejoins; the group has one primary and no acknowledged row is lost.
 */
class RogueFencedBySqlTest {
    /** Probe, failure window, the frozen agent's short timeout and the shutdown: a few seconds; this leaves room. */
    private static final Duration FENCE_BOUND = Duration.ofSeconds(20);

    @Test
    void aRogueWhoseNodeAgentIsFrozenIsStoppedThroughSqlSoNoRoleCommitsOnIt() throws Exception {
        try (LocalEstate estate = HaEstates.start(56, Map.of())) {
            HaEstates.createCluster(estate, "Rogue");
            String jdbc = estate.detail("Rogue").uris().jdbc();
            GroupView shard = shard(estate);
            NodeView primary = ClusterHealth.primary(shard).orElseThrow();
            NodeView rogue = shard.nodes().stream().filter(n -> n.idc().equals("IDC2") && "standby".equals(n.role()))
                    .findFirst().orElseThrow();
            try (Writers writers = new Writers(jdbc, "rogue_rows", 4)) {
                Waits.until(Duration.ofSeconds(30), "the writers commit", () -> writers.acked() > 100);
                long agent = estate.nodeAgentPid(rogue.address());
                signal("STOP", agent);
                long promotedAt;
                try {
                    try (Connection db = estate.superuser(rogue, rogue); Statement st = db.createStatement()) {
                        st.execute("SELECT pg_promote(true)");
                        var rs = st.executeQuery("SELECT pg_is_in_recovery()");
                        rs.next();
                        assertFalse(rs.getBoolean(1), rogue.name() + " is still in recovery after pg_promote");
                    }
                    promotedAt = System.currentTimeMillis();
                    Waits.until(FENCE_BOUND, "no role commits on " + rogue.name() + " any more (the superuser still does, with "
                            + "default_transaction_read_only off and synchronous_commit local)", () -> !superuserCommits(estate, rogue));
                    long fencedAfter = System.currentTimeMillis() - promotedAt;
                    // It stays so: refused connections, not one lucky failure.
                    for (int i = 0; i < 10; i++) {
                        assertFalse(superuserCommits(estate, rogue), rogue.name() + " took a commit again after it was fenced");
                        Thread.sleep(200);
                    }
                    System.out.println("RogueFencedBySqlTest: " + rogue.name() + " took no commit " + fencedAfter + " ms after its promotion");
                } finally {
                    signal("CONT", agent);
                }
                Waits.until(Duration.ofSeconds(10), "the fence is told", () -> !estate.events("node.fenced").isEmpty());
                List<JsonNode> fenced = estate.events("node.fenced");
                assertEquals(1, fenced.size(), fenced.toString());
                String message = fenced.get(0).get("message").asText();
                System.out.println("RogueFencedBySqlTest: " + message);
                assertTrue(message.contains("fast shutdown") && message.contains("did not answer"), message);
                HaEstates.awaitFullProtection(estate, "Rogue", Duration.ofSeconds(120));
                GroupView after = shard(estate);
                List<String> primaries = after.nodes().stream().filter(n -> "primary".equals(n.role())).map(NodeView::name).toList();
                assertEquals(List.of(primary.name()), primaries, "the shard's primaries after the rejoin");
                long mark = writers.acked();
                Waits.until(Duration.ofSeconds(30), "the writers go on committing", () -> writers.acked() > mark + 50);
                List<String> lost = writers.missing(jdbc.replaceAll("socketTimeout=\\d+", "socketTimeout=60"));
                assertEquals(0, lost.size(), lost.size() + " acknowledged commits are missing, e.g. "
                        + lost.subList(0, Math.min(5, lost.size())));
            }
        }
    }

    private static GroupView shard(LocalEstate estate) {
        return estate.detail("Rogue").groups().stream().filter(g -> !g.kind().equals("coordinator")).findFirst().orElseThrow();
    }

    /**
     * Whether the superuser commits a row on the node, taking every way around settings a session has: writes allowed,
     * and the commit waiting for no standby. Any failure (refused connection, read-only, timeout) is "no".
     */
    private static boolean superuserCommits(LocalEstate estate, NodeView node) {
        try (Connection db = estate.superuser(node, node); Statement st = db.createStatement()) {
            st.execute("SET statement_timeout = 3000");
            st.execute("SET default_transaction_read_only = off");
            st.execute("SET synchronous_commit = local");
            st.execute("CREATE TABLE IF NOT EXISTS rogue_probe (at bigint)");
            st.execute("INSERT INTO rogue_probe VALUES (" + System.currentTimeMillis() + ")");
            return true;
        } catch (SQLException e) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
    }
}
