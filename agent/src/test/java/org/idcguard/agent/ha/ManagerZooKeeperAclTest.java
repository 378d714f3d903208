package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.manager.quorum.ManagerQuorum;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.tls.TlsIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three managers on a real ZooKeeper ensemble, no cluster: the doors of the ensemble itself. (What the quorum does
 * for a cluster when managers are lost: {@link ManagerQuorumTest}, in the long tier.)
 */
class ManagerZooKeeperAclTest {
    private LocalEstate estate;

    @BeforeEach
    void startQuorum() {
        estate = new LocalEstate(Map.of(), Map.of(), 33); // three managers and their ZooKeeper peers, no computers
        Waits.until(Duration.ofSeconds(60), "every manager and ZooKeeper peer is up", () -> estate.managers().stream()
                .allMatch(m -> !m.role().equals("down") && (m.zookeeper().equals("leader") || m.zookeeper().equals("follower"))));
    }

    @AfterEach
    void stop() {
        if (estate != null) {
            estate.close();
        }
    }

    /**
     * The managers' ZooKeeper admits managers only. HAProxy's router certificate and a node agent's certificate, both
     * of our CA, are refused on a member's client port at the handshake (no read of the metadata log, no write) and on
     * its election port; a manager's certificate is admitted on both (so the refusals are not a port that admits nobody),
     * and every znode of the log is readable by managers alone.
     */
    @Test
    void theManagersZooKeeperAdmitsOnlyManagers(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var ca = org.idcguard.agent.tls.CertificateAuthority.loadOrCreate(new org.idcguard.agent.home.AgentHome(estate.home()));
        var member = estate.quorumMember(1);
        String connect = member.host() + ":" + member.clientPort();
        Map<String, TlsIdentity> strangers = Map.of(
                "router", ca.issue(org.idcguard.agent.tls.CertificateAuthority.ROUTER_NAME, List.of(), List.of()),
                "node", ca.issue(org.idcguard.agent.tls.CertificateAuthority.nodeName("127.0.33.1"), List.of("127.0.33.1"), List.of()));
        TlsIdentity manager = ca.issue(org.idcguard.agent.tls.CertificateAuthority.MANAGER_NAME, List.of(member.host()), List.of());

        try (var zk = ZooKeeperDoor.open(manager, connect, dir.resolve("manager"))) {
            assertTrue(zk.connected(), "a manager's certificate is admitted");
            assertTrue(!zk.client().getChildren("/idcguard/log", false).isEmpty(), "the metadata log holds entries");
            for (String path : List.of("/idcguard", "/idcguard/log")) {
                assertEquals(ManagerQuorum.ACL, zk.client().getACL(path, null), "only managers may read or write " + path);
            }
        }
        assertTrue(ZooKeeperDoor.electionPortWaitsFor(manager, member.host(), member.electionPort()),
                "a manager's certificate is admitted on the election port");
        for (Map.Entry<String, TlsIdentity> stranger : strangers.entrySet()) {
            try (var zk = ZooKeeperDoor.open(stranger.getValue(), connect, dir.resolve(stranger.getKey()))) {
                assertTrue(!zk.connected(), "the " + stranger.getKey() + " certificate is refused on the client port");
                assertThrows(org.apache.zookeeper.KeeperException.class, () -> zk.client().getChildren("/idcguard/log", false),
                        "the " + stranger.getKey() + " certificate reads no log");
                assertThrows(org.apache.zookeeper.KeeperException.class, () -> zk.client().create("/intruder", new byte[0],
                        org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE, org.apache.zookeeper.CreateMode.PERSISTENT),
                        "the " + stranger.getKey() + " certificate writes nothing");
            }
            assertTrue(!ZooKeeperDoor.electionPortWaitsFor(stranger.getValue(), member.host(), member.electionPort()),
                    "the " + stranger.getKey() + " certificate is refused on the election port");
        }
        try (var zk = ZooKeeperDoor.open(manager, connect, dir.resolve("manager-again"))) {
            assertEquals(null, zk.client().exists("/intruder", false), "nothing was written");
        }
    }
}
