package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.agent.testing.Writers;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * The old primaries wake inside the takeover, with writers committing to them: IDC1 is frozen, the manager detects
 * it, detaches the standbys, promotes the candidates, and is held (a test pause) before it repoints the other
 * standbys; then IDC1 is woken. The writers' sessions on the old primaries go on, but no standby acknowledges for
 * them any more, so nothing they commit is acknowledged; the old primaries are then fenced and rewound, and every
 * acknowledged commit is on the new primaries. Without the detach (the fence), a standby not yet repointed goes on
 * acknowledging the old primary's commits, which the new primary never has.
 */
@org.junit.jupiter.api.Tag("long")
class OldPrimaryWakesMidTakeoverTest {

    @Test
    void anOldPrimaryWakingBeforeTheStandbysAreRepointedGathersNoAcknowledgement() throws Exception {
        try (LocalEstate estate = HaEstates.start(20, Map.of("IDCGUARD_TEST_PAUSE_AT", "promoted:8000"))) {
            HaEstates.createCluster(estate, "Wake");
            String jdbc = estate.detail("Wake").uris().jdbc();
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail("Wake"));
                 Writers writers = new Writers(jdbc, "wake_rows", 8)) {
                Waits.until(Duration.ofSeconds(30), "the writers commit", () -> writers.acked() > 200);
                List<NodeView> oldPrimaries = estate.detail("Wake").groups().stream()
                        .map(g -> ClusterHealth.primary(g).orElseThrow()).toList();
                List<String> idc1 = estate.access().computersOf("IDC1");
                IdcFault freeze = new IdcFault(IdcFault.Kind.FREEZE, idc1);
                freeze.apply();
                try {
                    Waits.until(Duration.ofSeconds(30), "both groups are promoted and held before repointing",
                            () -> estate.events("test.paused", "promoted").size() == 2);
                } finally {
                    freeze.restore(); // the old primaries wake while the takeover is held
                }
                long wokeAt = System.currentTimeMillis();
                Waits.until(Duration.ofSeconds(60), "every primary is in IDC2", () -> ClusterHealth.primariesOutside(estate.detail("Wake"), "IDC1"));
                // fenced by the manager, or stopped first by their own node agents: their lease ran out while they
                // were frozen, and the standbys they wait for were detached (LeaseFailsafeTest)
                Waits.until(Duration.ofSeconds(60), "the woken old primaries take no writes",
                        () -> oldPrimaries.stream().noneMatch(p -> takesWrites(estate, p)));
                HaEstates.awaitFullProtection(estate, "Wake", Duration.ofSeconds(120));
                Waits.until(Duration.ofSeconds(30), "the writers commit on the new primaries", () -> writers.ackedAfter(wokeAt) > 100);

                List<String> lost = writers.missing(jdbc.replaceAll("socketTimeout=\\d+", "socketTimeout=60"));
                assertEquals(0, lost.size(), lost.size() + " acknowledged commits the new primaries lack, e.g. "
                        + lost.subList(0, Math.min(5, lost.size())));
                assertTrue(writers.errors() > 0, "the writers' sessions on the old primaries failed rather than succeeded");
                assertFalse(estate.events("failover.detached").isEmpty());
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            }
        }
    }

    private static boolean takesWrites(LocalEstate estate, NodeView node) {
        try (java.sql.Connection db = estate.superuser(node, node); java.sql.Statement st = db.createStatement()) {
            java.sql.ResultSet rs = st.executeQuery("SELECT NOT pg_is_in_recovery() AND NOT current_setting('default_transaction_read_only')::bool");
            return rs.next() && rs.getBoolean(1);
        } catch (Exception stoppedOrUnreachable) {
            return false;
        }
    }
}
