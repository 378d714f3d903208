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
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/** One primary fails while the rest of its IDC lives: a short freeze is ridden out, a crash is failed over. */
class PrimaryFailureTest {

    @Test
    void aPrimaryFrozenForOneSecondIsNotFailedOver() throws Exception {
        try (LocalEstate estate = HaEstates.start(13, Map.of())) {
            HaEstates.createCluster(estate, "Pause");
            NodeView primary = shardPrimary(estate.detail("Pause"));
            WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail("Pause"));
            ProbeWorkload probe = new ProbeWorkload(estate.detail("Pause").uris().jdbc());
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
            assertEquals(List.of(), estate.events("failover.started"), "no failover for a one-second freeze");
            assertEquals(primary.name(), shardPrimary(estate.detail("Pause")).name());
            assertTrue(report.acked() > 50, "writes went on: " + report);
        }
    }

    @Test
    void aCrashedPrimaryIsReplacedByTheStandbyInItsOwnIdcAndRejoins() throws Exception {
        try (LocalEstate estate = HaEstates.start(14, Map.of())) {
            HaEstates.createCluster(estate, "Crash");
            ClusterDetail before = estate.detail("Crash");
            NodeView primary = shardPrimary(before);
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before)) {
                ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
                probe.prepare();
                probe.start();
                Thread.sleep(1500);
                processTree(primary.pid()).forEach(ProcessHandle::destroyForcibly); // SIGKILL; its node agent lives on
                Waits.until(Duration.ofSeconds(30), "shard1 has a new primary", () ->
                        ClusterHealth.primary(shard(estate.detail("Crash"))).map(p -> !p.name().equals(primary.name())).orElse(false));
                Thread.sleep(1500);
                ProbeReport report = probe.stop();
                assertEquals(0, report.missing(), "acknowledged writes lost: " + report);

                NodeView replacement = ClusterHealth.primary(shard(estate.detail("Crash"))).orElseThrow();
                assertEquals("IDC1", replacement.idc(), "the standby in the primary's own IDC was preferred");
                assertEquals("IDC1", estate.detail("Crash").summary().primaryIdc());
                HaEstates.awaitFullProtection(estate, "Crash", Duration.ofSeconds(90));
                NodeView former = shard(estate.detail("Crash")).nodes().stream().filter(n -> n.name().equals(primary.name()))
                        .findFirst().orElseThrow();
                assertEquals("standby", former.role(), "the crashed primary was rewound and rejoined");
                assertFalse(estate.events("node.rejoined").isEmpty());
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
            }
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
