package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * A primary acknowledges only while it holds the manager's lease, or while its node agent's failsafe finds it not
 * alone (a standby its commits wait for, and every DR-city standby of its group, stream from it). With the manager
 * gone, a healthy cross-city cluster keeps writing; once the DR standbys stop receiving too (as when the DBA promotes
 * the DR city, or the main city is cut off from it), the main city's primaries stop by themselves.
 */
class LeaseFailsafeTest {
    private static final int BLOCK = 42;

    @Test
    void withoutTheManagerPrimariesWriteWhileTheirGroupHearsThemAndStopOnceTheDrCityDoesNot() throws Exception {
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of())) {
            HaEstates.createCrossCityCluster(estate, BLOCK, "Lease");
            List<NodeView> primaries = HaEstates.primaries(estate, "Lease");
            ClusterDetail detail = estate.detail("Lease");
            List<NodeView> dr = detail.groups().stream().flatMap(g -> g.nodes().stream()).filter(n -> n.idc().equals("IDC3")).toList();
            assertEquals(2, dr.size());

            estate.killManager();
            // five failure windows without any lease: the failsafe keeps every primary writing
            long until = System.currentTimeMillis() + 7_500;
            int commits = 0;
            while (System.currentTimeMillis() < until) {
                for (NodeView p : primaries) {
                    assertTrue(commits(estate, p), p.name() + " stopped taking writes while its group hears it (manager gone)");
                    commits++;
                }
                Thread.sleep(250);
            }
            assertTrue(commits > 40, "commits: " + commits);

            // the DR city stops receiving: nothing shows any more that the DBA has not promoted it
            List<ProcessHandle> drServers = new ArrayList<>();
            dr.forEach(n -> ProcessHandle.of(n.pid()).ifPresent(drServers::add));
            drServers.forEach(ProcessHandle::destroyForcibly);
            long cut = System.currentTimeMillis();
            for (NodeView p : primaries) {
                Waits.until(Duration.ofSeconds(10), p.name() + " stops acknowledging once the DR city no longer hears it",
                        () -> !commits(estate, p));
            }
            long fencedAfter = System.currentTimeMillis() - cut;
            System.out.println("main-city primaries stopped " + fencedAfter + " ms after the DR standbys stopped receiving");
            for (GroupView g : detail.groups()) {
                NodeView p = ClusterHealth.primary(g).orElseThrow();
                Waits.until(Duration.ofSeconds(10), p.name() + " is stopped by its node agent",
                        () -> ProcessHandle.of(p.pid()).map(h -> !h.isAlive()).orElse(true));
            }
        }
    }

    /** Whether an INSERT commits on the node, asked directly (the superuser, a short timeout). */
    private static boolean commits(LocalEstate estate, NodeView node) {
        try (Connection db = estate.superuser(node, node); Statement st = db.createStatement()) {
            st.setQueryTimeout(2);
            st.execute("CREATE TABLE IF NOT EXISTS lease_probe (at timestamptz)");
            st.execute("INSERT INTO lease_probe VALUES (now())");
            return true;
        } catch (Exception refused) {
            return false;
        }
    }
}
