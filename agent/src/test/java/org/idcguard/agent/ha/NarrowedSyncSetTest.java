package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.drill.NetworkCut;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.WalStreamDrop;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * ANY 1 waits for the fastest standby, so the last commits may be on one standby alone. Here the shard's primary
 * waits for b1 and b2 in IDC2; b2 lags (packets from the primary to it are dropped, so it stays connected but
 * receives nothing) and a commit is acknowledged by b1 alone. b1 then dies with its computer's agent, the primary
 * stops waiting for it, and IDC1 is powered off. b2 lacks the commit: the takeover must wait for b1 and promote
 * from its position, not promote b2. (With the configured set narrowed at once, as before the fix, b2 is promoted and
 * the commit is lost; this test then fails on the missing row.)
 */
@org.junit.jupiter.api.Tag("long")
class NarrowedSyncSetTest {
    private static final String NAME = "Narrow";

    @Test
    void aStandbyDroppedFromTheSyncSetIsWaitedForUntilAnotherHoldsWhatItAcknowledged() throws Exception {
        assumeTrue(NetworkCut.available(), "needs root and nft to make one standby lag");
        try (LocalEstate estate = HaEstates.start(32, Map.of())) {
            HaEstates.createCluster(estate, NAME);
            ClusterDetail before = estate.detail(NAME);
            NodeView primary = PrimaryFailureTest.shardPrimary(before);
            List<NodeView> idc2 = PrimaryFailureTest.shard(before).nodes().stream().filter(n -> n.idc().equals("IDC2"))
                    .sorted(Comparator.comparing(NodeView::name)).toList();
            NodeView b1 = idc2.get(0);
            NodeView b2 = idc2.get(1);
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before);
                 Connection p = estate.superuser(primary, primary); Statement st = p.createStatement()) {
                st.execute("CREATE TABLE narrow_probe (id int PRIMARY KEY)");
                // b2 must stay connected while it lags: no timeout may end its stream during the test
                st.execute("ALTER SYSTEM SET wal_sender_timeout = 0");
                st.execute("ALTER SYSTEM SET tcp_user_timeout = 0");
                st.execute("SELECT pg_reload_conf()");
                try (Connection s = estate.superuser(b2, b2); Statement bs = s.createStatement()) {
                    bs.execute("ALTER SYSTEM SET wal_receiver_timeout = 0");
                    bs.execute("SELECT pg_reload_conf()");
                }
                Waits.until(Duration.ofSeconds(10), "b2 has the table", () -> flushedAll(st, b2));

                try (WalStreamDrop stall = new WalStreamDrop(estate, List.of(new WalStreamDrop.Streams(primary, List.of(b2))))) {
                    st.execute("INSERT INTO narrow_probe VALUES (1)");
                    assertEquals(null, st.getWarnings(), "the commit was acknowledged by a standby");
                    assertTrue(!flushedAll(st, b2), "b2 lacks the acknowledged commit: only b1 acknowledged it; " + replication(st));

                    estate.killNode(b1.address()); // nobody starts b1 again until its computer's agent is back
                    PrimaryFailureTest.processTree(b1.pid()).forEach(ProcessHandle::destroyForcibly);
                    Waits.until(Duration.ofSeconds(20), "the primary waits for b2 alone",
                            () -> estate.events("sync.configured").stream().anyMatch(e -> e.get("message").asText()
                                    .contains(" now wait for any one of " + b2.name() + ".")));
                    new IdcFault(IdcFault.Kind.POWER_OFF, estate.access().computersOf("IDC1")).apply();
                }

                Thread.sleep(6000); // the IDC stays dark while b1's computer is still down: no takeover may promote b2
                assertEquals(List.of(), estate.events("failover.done").stream()
                                .filter(e -> e.get("subject").asText().equals(NAME + "/shard1")).toList(),
                        "shard1 was taken over without b1, which alone holds an acknowledged commit");
                estate.startNode(b1.address());
                try {
                    Waits.until(Duration.ofSeconds(60), "shard1 has a primary in IDC2",
                            () -> ClusterHealth.primary(PrimaryFailureTest.shard(estate.detail(NAME)))
                                    .map(n -> n.idc().equals("IDC2")).orElse(false));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; timeline:\n" + CandidateLostMidPromotionTest.timeline(estate), e);
                }
                NodeView now = PrimaryFailureTest.shardPrimary(estate.detail(NAME));
                try (Connection n = estate.superuser(now, primary); Statement ns = n.createStatement()) {
                    ResultSet rs = ns.executeQuery("SELECT count(*) FROM narrow_probe WHERE id = 1");
                    rs.next();
                    assertEquals(1, rs.getInt(1), "the commit acknowledged by b1 alone is on the new primary " + now.name());
                }
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            }
        }
    }

    private static String replication(Statement primary) throws SQLException {
        StringBuilder b = new StringBuilder("at " + one(primary, "SELECT pg_current_wal_lsn()::text") + ", sync "
                + one(primary, "SHOW synchronous_standby_names") + ", synchronous_commit " + one(primary, "SHOW synchronous_commit") + ":");
        ResultSet rs = primary.executeQuery("SELECT application_name, client_addr, state, flush_lsn, sync_state FROM pg_stat_replication");
        while (rs.next()) {
            b.append(' ').append(rs.getString(1)).append('@').append(rs.getString(2)).append(' ').append(rs.getString(3))
                    .append(' ').append(rs.getString(4)).append(' ').append(rs.getString(5)).append(';');
        }
        return b.toString();
    }

    private static String one(Statement st, String sql) throws SQLException {
        ResultSet rs = st.executeQuery(sql);
        rs.next();
        return rs.getString(1);
    }

    /** Whether the primary's position is flushed on the standby. */
    private static boolean flushedAll(Statement primary, NodeView standby) {
        try (PreparedStatement ps = primary.getConnection().prepareStatement("SELECT flush_lsn >= pg_current_wal_lsn() "
                + "FROM pg_stat_replication WHERE application_name = ?")) {
            ps.setString(1, standby.name());
            ResultSet rs = ps.executeQuery();
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
