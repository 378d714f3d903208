package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.DrillKind;
import org.idcguard.agent.drill.DrillRunner;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.quorum.ManagerQuorum;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.ManagerPartition;
import org.idcguard.agent.testing.OneClusterPerClass;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.model.NewComputer;
import org.idcguard.model.NodeView;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.DrillRound;
import org.idcguard.model.ManagerInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Three managers on a real ZooKeeper ensemble (each member's embedded peer, in the manager's own process) over real
 * PostgreSQL: losing the leader, with or without its IDC, never leaves the cluster without a manager, and a new leader
 * resumes exactly where the old one stopped.
 *
 * <p>The cases share one estate and cluster; each begins with every manager back, and the two that take the primary
 * IDC over take whichever IDC is primary then. (Who the managers' ZooKeeper admits: {@link ManagerZooKeeperAclTest}.)
 */
@org.junit.jupiter.api.Tag("long")
class ManagerQuorumTest extends OneClusterPerClass {
    ManagerQuorumTest() {
        super("Quorum");
    }

    @Override
    protected LocalEstate startEstate() {
        return HaEstates.startQuorum(33);
    }

    @BeforeEach
    void everyManagerBack() {
        Waits.until(Duration.ofSeconds(60), "every manager and ZooKeeper peer is back", () -> estate.managers().stream()
                .allMatch(m -> !m.role().equals("down") && (m.zookeeper().equals("leader") || m.zookeeper().equals("follower"))));
    }

    /**
     * Each manager is stopped and started again in turn, the leader included, while the probe writes: the lead moves,
     * but no group is taken over and nothing acknowledged is lost.
     */
    @Test
    @org.junit.jupiter.api.Tag("long")
    @Order(1)
    void aRollingRestartOfTheManagersCausesNoTakeover() throws Exception {
        ClusterDetail before = estate.detail(name);
        long mark = estate.lastEventId();
        try (ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc())) {
            probe.prepare();
            probe.start();
            for (int id = 1; id <= 3; id++) {
                int member = id;
                estate.stopMember(member);
                estate.startMember(member);
                // as an operator would: the next goes only once every manager and ZooKeeper peer is back
                Waits.until(Duration.ofSeconds(60), "member " + member + " is back", () -> {
                    List<ManagerInfo> all = estate.managers();
                    return all.stream().allMatch(m -> !m.role().equals("down")
                            && (m.zookeeper().equals("leader") || m.zookeeper().equals("follower")))
                            && all.stream().anyMatch(m -> m.id() == member && m.pid() > 0);
                });
            }
            Waits.until(Duration.ofSeconds(20), "writes flow", () -> probe.flowing(1000, 500));
            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertTrue(report.acked() > 100, report.toString());
        }
        List<JsonNode> started = estate.events("failover.started").stream().filter(e -> e.get("id").asLong() > mark).toList();
        assertEquals(List.of(), started, "a rolling restart took a group over");
        assertTrue(estate.events("manager.elected").stream().anyMatch(e -> e.get("id").asLong() > mark),
                "the lead moved at least once (the leader was restarted too)");
        assertEquals(before.summary().primaryIdc(), estate.detail(name).summary().primaryIdc());
        assertTrue(ClusterHealth.fullyProtected(estate.detail(name)));
    }

    /**
     * The leader is cut off from the other managers' ZooKeeper traffic but still reaches every node: it stops acting
     * within its session, the others elect a leader of a newer epoch, and a command of the old epoch is refused by the
     * node agents before it does anything.
     */
    @Test
    @org.junit.jupiter.api.Tag("long")
    @Order(2)
    void aLeaderPartitionedFromTheQuorumStopsAndItsEpochIsRefused() throws Exception {
        Assumptions.assumeTrue(ManagerPartition.available(), "needs root, nftables and cgroup v2");
        try (ManagerPartition partition = new ManagerPartition()) {
            estate.killMember(1);
            estate.startMember(1, Map.of(), partition.prefix());
            Waits.until(Duration.ofSeconds(60), "member 1 follows", () -> estate.managers().stream()
                    .anyMatch(m -> m.id() == 1 && m.role().equals("follower")));
            estate.moveLeadTo(1);
            long oldEpoch = estate.api().get("/api/health").json().get("epoch").asLong();
            long oldPid = estate.managers().stream().filter(m -> m.id() == 1).findFirst().orElseThrow().pid();
            long mark = estate.lastEventId();

            long cutAt = System.currentTimeMillis();
            partition.cut("127.0.33.11");
            Waits.until(Duration.ofSeconds(ManagerQuorum.SESSION_MILLIS / 1000 + 5), "the cut-off leader stops",
                    () -> ProcessHandle.of(oldPid).map(p -> !p.isAlive()).orElse(true));
            long stoppedAfter = System.currentTimeMillis() - cutAt;
            Waits.until(Duration.ofSeconds(30), "another manager leads", () -> estate.events("manager.elected").stream()
                    .anyMatch(e -> e.get("id").asLong() > mark));
            long newEpoch = estate.api().get("/api/health").json().get("epoch").asLong();
            assertTrue(newEpoch > oldEpoch, "epoch " + newEpoch + " after " + oldEpoch);
            System.out.println("partitioned leader stopped after " + stoppedAfter + " ms; epoch " + oldEpoch + " -> " + newEpoch);

            // the new leader's probes (every second) carry its epoch to every node agent
            Thread.sleep(3 * org.idcguard.agent.manager.server.ManagerServer.COMPUTER_PROBE_MILLIS);
            NodeView target = estate.detail(name).groups().get(0).nodes().stream()
                    .filter(n -> n.idc().equals("IDC2")).findFirst().orElseThrow();
            var identity = TlsIdentity.load(estate.home().resolve("tls").resolve("manager-1.p12")).orElseThrow();
            NodeAgentClient deposed = new NodeAgentClient(identity, new NodeAgentClient.Leadership() {
                @Override
                public boolean mayAct() {
                    return true; // as the old leader believed, before its session was found lost
                }

                @Override
                public long epoch() {
                    return oldEpoch;
                }
            });
            String endpoint = NewComputer.defaultEndpoint(target.address());
            var refused = assertThrows(NodeAgentClient.NodeAgentRefused.class,
                    () -> deposed.stopInstance(endpoint, target.name(), "fast"));
            assertTrue(refused.getMessage().contains("deposed"), refused.getMessage());
            assertTrue(new NodeAgentClient(identity).instances(endpoint).stream()
                    .anyMatch(i -> i.name().equals(target.name()) && i.running()), "the refused command changed nothing");
            assertEquals(List.of(), estate.events("failover.started").stream().filter(e -> e.get("id").asLong() > mark).toList(),
                    "a manager change alone takes no group over");

            partition.heal();
            estate.killMember(1);
            estate.startMember(1);
            Waits.until(Duration.ofSeconds(60), "member 1 follows again", () -> estate.managers().stream()
                    .anyMatch(m -> m.id() == 1 && m.role().equals("follower")));
            assertTrue(ClusterHealth.fullyProtected(estate.detail(name)));
        }
    }

    /** The primary IDC is powered off with its manager, the leader, and that manager's ZooKeeper peer: the other two take it over. */
    @Test
    @org.junit.jupiter.api.Tag("long")
    @Order(3)
    void thePrimaryIdcLostWithTheLeaderAndItsZooKeeperPeerIsTakenOverByTheSurvivors() throws Exception {
        ClusterDetail before = estate.detail(name);
        String struckIdc = before.summary().primaryIdc();
        int member = struckIdc.equals("IDC1") ? 1 : 2; // the manager the estate places in that IDC
        estate.moveLeadTo(member);
        long mark = estate.lastEventId();
        try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before)) {
            DrillRound round = new DrillRunner(estate.access(), new PrintStream(OutputStream.nullOutputStream()))
                    .run(name, DrillKind.POWER_OFF, struckIdc, 1).get(0);
            assertTrue(round.recovered(), round.line());
            assertEquals(0, round.rpo(), "acknowledged writes lost: " + round.line());
            assertTrue(round.acked() > 50, "the probe kept writing: " + round.line());

            List<JsonNode> elected = estate.events("manager.elected").stream().filter(e -> e.get("id").asLong() > mark).toList();
            assertEquals(1, elected.size(), "one election, by a survivor: " + elected);
            assertNotEquals("manager " + member, elected.get(0).get("subject").asText());
            List<JsonNode> done = estate.events("failover.done").stream().filter(e -> e.get("id").asLong() > mark).toList();
            assertEquals(2, done.size(), "both groups were taken over once");
            long struck = done.stream().mapToLong(e -> e.get("timeMillis").asLong()).max().orElseThrow() - round.takeoverMillis();
            System.out.println("quorum power-off: election_ms=" + (elected.get(0).get("timeMillis").asLong() - struck) + " "
                    + round.line());

            ClusterDetail after = estate.detail(name);
            assertEquals(before.summary().backupIdc(), after.summary().primaryIdc());
            assertTrue(ClusterHealth.fullyProtected(after), ClusterHealth.whatIsMissing(after));
            assertTrue(watch.samples() > 10);
            assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
        }
        // the drill started the struck IDC's manager again: it follows, its copy caught up
        Waits.until(Duration.ofSeconds(60), "manager " + member + " follows again", () -> estate.managers().stream()
                .anyMatch(m -> m.id() == member && m.role().equals("follower")));
    }

    /**
     * The leader is killed after it has promoted a group and before it records that; the new leader finishes the
     * takeover from the recorded steps, and every group ends with one primary.
     */
    @Test
    @org.junit.jupiter.api.Tag("long")
    @Order(4)
    void aLeaderKilledMidTakeoverIsResumedByTheNextLeader() throws Exception {
        // the pausing member must be the leader: the others restarted by moveLeadTo come back without the pause
        estate.killMember(3);
        estate.startMember(3, Map.of("IDCGUARD_TEST_PAUSE_AT", "promoted:120000"));
        Waits.until(Duration.ofSeconds(60), "member 3 follows", () -> estate.managers().stream()
                .anyMatch(m -> m.id() == 3 && m.role().equals("follower")));
        estate.moveLeadTo(3);
        ClusterDetail before = estate.detail(name);
        String struckIdc = before.summary().primaryIdc();
        String backupIdc = before.summary().backupIdc();
        long mark = estate.lastEventId();
        try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before);
             ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc())) {
            probe.prepare();
            probe.start();
            Waits.until(Duration.ofSeconds(10), "the probe writes", () -> probe.ackedCount() > 20);
            // the primary IDC's databases go; its manager (a follower here) stays
            new IdcFault(IdcFault.Kind.POWER_OFF, estate.access().computersOf(struckIdc)).apply();
            Waits.until(Duration.ofSeconds(30), "the leader has promoted a group and pauses", () -> estate.events("test.paused")
                    .stream().anyMatch(e -> e.get("id").asLong() > mark && e.get("message").asText().equals("promoted")));
            estate.killMember(3);

            Waits.until(Duration.ofSeconds(60), "the next leader finishes the takeover", () -> {
                ClusterDetail d = estate.detail(name);
                return d.summary().primaryIdc().equals(backupIdc) && ClusterHealth.primariesOutside(d, struckIdc)
                        && estate.api().get("/api/intents").json().isEmpty();
            });
            Waits.until(Duration.ofSeconds(20), "writes flow", () -> probe.flowing(1000, 500));
            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertTrue(estate.leaderId() != 3);
            List<JsonNode> elected = estate.events("manager.elected").stream().filter(e -> e.get("id").asLong() > mark).toList();
            assertEquals(1, elected.size(), elected.toString());
            assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            assertTrue(watch.samples() > 10);
        }
        for (String address : estate.access().computersOf(struckIdc)) {
            estate.restartNode(address);
        }
        estate.startMember(3);
        HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(120));
    }
}
