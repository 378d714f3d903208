package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.node.PostgresBinaries;
import org.idcguard.agent.testing.BarePostgres;
import org.idcguard.model.RoleLease;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * What the manager's probe reads of a primary's lease, on real PostgreSQL (two bare servers, no node agent): whether
 * the lease check is loaded, and the stamp of the lease file's last write, which changes at every renewal. The takeover
 * of a primary whose node agent is gone and the alert for a primary without the check stand on these two readings.
 */
class LeaseObservationTest {
    private static final int WITH_CHECK = 56481;
    private static final int WITHOUT_CHECK = 56482;

    @AutoClose
    private BarePostgres servers;

    @Test
    void theProbeReadsWhetherTheLeaseCheckIsLoadedAndWhenTheLeaseFileWasLastWritten() throws Exception {
        PostgresBinaries pg = BarePostgres.binaries();
        if (!pg.hasLibrary(PostgresBinaries.LEASE_LIBRARY)) {
            fail("the lease check is not installed in " + pg.pkglibdir() + ": build and install it with "
                    + "make -C extension/idcguard_lease install (./idcguard test does that before the tests)");
        }
        servers = new BarePostgres(pg, "idcg-lease-seen-");
        Path checked = servers.dataDir("checked");
        Path unchecked = servers.dataDir("unchecked");
        servers.initdb(checked, "shared_preload_libraries = '" + PostgresBinaries.LEASE_LIBRARY + "'\n");
        servers.initdb(unchecked, "");
        servers.start(checked, WITH_CHECK);
        servers.start(unchecked, WITHOUT_CHECK);

        NodeObservation noFile = probe(WITH_CHECK);
        assertTrue(noFile.leaseCheckLoaded(), "the library is preloaded");
        assertEquals(-1, noFile.leaseStamp(), "no lease file yet");
        assertFalse(noFile.leaseEnforced(), "the library enforces nothing without a file");

        Path lease = checked.resolve(RoleLease.FILE);
        Files.writeString(lease, Long.toString(System.nanoTime() / 1_000_000 + 60_000) + "\n");
        Files.setLastModifiedTime(lease, FileTime.fromMillis(1_700_000_000_000L));
        NodeObservation written = probe(WITH_CHECK);
        assertTrue(written.leaseEnforced(), written.toString());
        assertEquals(1_700_000_000_000L, written.leaseStamp(), "the stamp is the file's, to the millisecond");
        assertEquals(written.leaseStamp(), probe(WITH_CHECK).leaseStamp(), "unwritten, the stamp stays");

        // a renewal (written by temporary file and rename, as the node agent does) gives another stamp
        Path next = checked.resolve(RoleLease.FILE + ".tmp");
        Files.writeString(next, Long.toString(System.nanoTime() / 1_000_000 + 60_000) + "\n");
        Files.move(next, lease, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        NodeObservation renewed = probe(WITH_CHECK);
        assertTrue(renewed.leaseStamp() != written.leaseStamp() && Math.abs(renewed.leaseStamp() - System.currentTimeMillis()) < 60_000,
                "renewed just now: " + renewed.leaseStamp());

        NodeObservation without = probe(WITHOUT_CHECK);
        Files.writeString(unchecked.resolve(RoleLease.FILE), "0\n");
        NodeObservation withoutButLeased = probe(WITHOUT_CHECK);
        assertFalse(without.leaseCheckLoaded(), "no library preloaded");
        assertFalse(withoutButLeased.leaseEnforced(), "a lease file alone enforces nothing without the library");
    }

    private static NodeObservation probe(int port) throws Exception {
        ClusterRecord cluster = new ClusterRecord("c", "intra-city", "Shenzhen", "IDC1", "IDC2", 1, 2, "app", "app", "pw",
                "postgres", "unused: trust", "available", ClusterRecord.RUNNING);
        NodeRecord node = new NodeRecord("p", "c", "g", "IDC1", "127.0.0.1", null, port, "", "primary", false);
        NodeProber prober = new NodeProber(cluster, node);
        try {
            return prober.probe(5_000);
        } finally {
            prober.abort();
        }
    }
}
