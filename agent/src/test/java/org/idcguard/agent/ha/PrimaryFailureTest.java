package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.OneClusterPerClass;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * One primary fails while the rest of its IDC lives: a short freeze is ridden out, a crash is failed over. Both on one
 * cluster, the freeze first.
 */
class PrimaryFailureTest extends OneClusterPerClass {
    PrimaryFailureTest() {
        super("Primary");
    }

    @Override
    protected LocalEstate startEstate() {
        return HaEstates.start(13, Map.of());
    }

    @Test
    @Order(1)
    void aPrimaryFrozenForOneSecondIsNotFailedOver() throws Exception {
        long mark = estate.lastEventId();
        NodeView primary = shardPrimary(estate.detail(name));
        WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail(name));
        ProbeWorkload probe = new ProbeWorkload(estate.detail(name).uris().jdbc());
        probe.prepare();
        probe.start();
        Thread.sleep(1000);
        List<ProcessHandle> frozen = processTree(primary.pid());
        signal("-STOP", frozen);
        Thread.sleep(1000);
        signal("-CONT", frozen);
        Thread.sleep(5000); // several failure windows: a failover, had one started, would have been recorded by now
        ProbeReport report = probe.stop();
        watch.close();
        assertEquals(List.of(), watch.violations(), "two writable primaries in one group");

        assertEquals(0, report.missing());
        assertEquals(List.of(), estate.eventsAfter(mark, "failover.started"), "no failover for a one-second freeze");
        assertEquals(primary.name(), shardPrimary(estate.detail(name)).name());
        assertTrue(report.acked() > 50, "writes went on: " + report);
    }

    @Test
    @Order(2)
    void aCrashedPrimaryIsReplacedByTheStandbyInItsOwnIdcAndRejoins() throws Exception {
        long mark = estate.lastEventId();
        ClusterDetail before = estate.detail(name);
        NodeView primary = shardPrimary(before);
        try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before)) {
            ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
            probe.prepare();
            probe.start();
            Thread.sleep(1500);
            processTree(primary.pid()).forEach(ProcessHandle::destroyForcibly); // SIGKILL; its node agent lives on
            Waits.until(Duration.ofSeconds(30), "shard1 has a new primary", () ->
                    ClusterHealth.primary(shard(estate.detail(name))).map(p -> !p.name().equals(primary.name())).orElse(false));
            Thread.sleep(1500);
            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);

            NodeView replacement = ClusterHealth.primary(shard(estate.detail(name))).orElseThrow();
            assertEquals(primary.idc(), replacement.idc(), "the standby in the primary's own IDC was preferred");
            assertEquals(before.summary().primaryIdc(), estate.detail(name).summary().primaryIdc());
            HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(90));
            NodeView former = shard(estate.detail(name)).nodes().stream().filter(n -> n.name().equals(primary.name()))
                    .findFirst().orElseThrow();
            assertEquals("standby", former.role(), "the crashed primary was rewound and rejoined");
            assertFalse(estate.eventsAfter(mark, "node.rejoined").isEmpty());
            assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
        }
    }

    /**
     * The primary's node agent is SIGKILLed alone: PostgreSQL runs on and answers every probe, its standbys still stream
     * from it, but nobody renews its lease, so the lease check refuses its commits. The group must not be left so: it
     * is taken over (its standbys detached first), the old primary is fenced without its node agent, and rejoins as a
     * standby once its node agent is back. Every other group with a primary on that computer goes the same way.
     */
    @Test
    @Order(3)
    void aPrimaryWhoseNodeAgentDiedIsReplacedAndRejoinsWhenItsNodeAgentReturns() throws Exception {
        long mark = estate.lastEventId();
        ClusterDetail before = estate.detail(name);
        NodeView primary = shardPrimary(before);
        try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before)) {
            ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
            probe.prepare();
            probe.start();
            Thread.sleep(1500);
            estate.killNode(primary.address()); // SIGKILL the node agent alone; its PostgreSQL instances live on
            long killedAt = System.currentTimeMillis();
            try {
                Waits.until(Duration.ofSeconds(30), "shard1 has a new primary", () ->
                        ClusterHealth.primary(shard(estate.detail(name))).map(p -> !p.name().equals(primary.name())).orElse(false));
                System.out.println("PrimaryFailureTest: " + primary.name() + "'s node agent killed; a new primary recorded after "
                        + (System.currentTimeMillis() - killedAt) + " ms");
                long recordedAt = System.currentTimeMillis();
                Waits.until(Duration.ofSeconds(15), "the probe commits again", () -> probe.lastAckMillis() > recordedAt);
                ProbeReport report = probe.stop();
                assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
                List<String> why = estate.eventsAfter(mark, "failover.started").stream().map(e -> e.get("message").asText()).toList();
                assertTrue(why.stream().anyMatch(m -> m.contains(primary.name() + " answers, but its lease file has not been rewritten for")), why.toString());
            } finally {
                estate.startNode(primary.address());
            }
            HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(120));
            NodeView former = shard(estate.detail(name)).nodes().stream().filter(n -> n.name().equals(primary.name()))
                    .findFirst().orElseThrow();
            assertEquals("standby", former.role(), "the old primary was fenced, rewound and rejoined");
            assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
        }
    }

    static GroupView shard(ClusterDetail d) {
        return d.groups().stream().filter(g -> g.name().equals("shard1")).findFirst().orElseThrow();
    }

    static NodeView shardPrimary(ClusterDetail d) {
        return ClusterHealth.primary(shard(d)).orElseThrow();
    }

    static List<ProcessHandle> processTree(long pid) {
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> all = new ArrayList<>(List.of(root));
        root.descendants().forEach(all::add);
        return all;
    }

    static void signal(String signal, List<ProcessHandle> processes) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        processes.forEach(p -> command.add(Long.toString(p.pid())));
        new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
