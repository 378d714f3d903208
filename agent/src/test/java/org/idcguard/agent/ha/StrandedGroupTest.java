package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.OneClusterPerClass;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A group must never be left without a primary by one fault. Two ways it was: the sync-set keeper dropped the
 * standbys of a primary whose WAL senders had died a moment before the primary itself (its IDC being powered off),
 * leaving the takeover nobody recorded as holding every acknowledged commit; and a takeover refused for want of a
 * safe candidate never started the recorded primary again, although its computer answered.
 */
class StrandedGroupTest extends OneClusterPerClass {
    StrandedGroupTest() {
        super("Stranded");
    }

    @Override
    protected LocalEstate startEstate() {
        return HaEstates.start(41, Map.of());
    }

    /**
     * The primaries' streams to every standby stop for 1.2 s (their WAL senders are terminated again and again, as
     * when a powered-off primary's senders die first), then IDC1 is powered off. Every group must be taken over in
     * IDC2 with nothing lost: the standbys' silence was their primaries' failure, not theirs.
     */
    @Test
    @Order(1)
    void standbysWhoseStreamStoppedJustBeforeTheirPrimaryDiedAreStillPromoted() throws Exception {
        long mark = estate.lastEventId();
        ClusterDetail before = estate.detail(name);
        List<String> idc1 = estate.access().computersOf("IDC1");
        ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
        probe.prepare();
        probe.start();
        Thread.sleep(1000);
        List<Connection> primaries = new ArrayList<>();
        try {
            for (GroupView g : before.groups()) {
                NodeView p = ClusterHealth.primary(g).orElseThrow();
                primaries.add(estate.superuser(p, p));
            }
            long until = System.currentTimeMillis() + 1200;
            while (System.currentTimeMillis() < until) {
                for (Connection db : primaries) {
                    try (Statement st = db.createStatement()) {
                        st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_replication");
                    }
                }
                Thread.sleep(50);
            }
        } finally {
            for (Connection db : primaries) {
                db.close();
            }
        }
        IdcFault powerOff = new IdcFault(IdcFault.Kind.POWER_OFF, idc1);
        powerOff.apply();
        try {
            Waits.until(Duration.ofSeconds(30), "every group has a primary in IDC2", () ->
                    ClusterHealth.primariesOutside(estate.detail(name), "IDC1"));
            Thread.sleep(1000);
            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertEquals(List.of(), estate.eventsAfter(mark, "failover.refused"), "no takeover was refused");
        } finally {
            probe.close();
            idc1.forEach(estate::startNode); // IDC1 powered on again: its nodes rejoin as standbys
        }
        HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(120));
    }

    /**
     * A shard's primary crashes (its node agent lives on) together with a whole standby of the other IDC, agent and
     * all: that standby may hold acknowledged commits the other lacks, so nobody may be promoted. The recorded primary
     * holds every commit it acknowledged and its computer answers, so it is started again.
     */
    @Test
    @Order(2)
    void aPrimaryThatNoStandbyMayReplaceIsStartedAgainWhenItsComputerAnswers() throws Exception {
        long mark = estate.lastEventId();
        ClusterDetail before = estate.detail(name);
        GroupView shard = before.groups().stream().filter(g -> g.name().equals("shard1")).findFirst().orElseThrow();
        NodeView primary = ClusterHealth.primary(shard).orElseThrow();
        NodeView waitedFor = shard.nodes().stream().filter(n -> shard.syncSet().contains(n.name())).findFirst().orElseThrow();
        ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
        probe.prepare();
        probe.start();
        try {
            Thread.sleep(1000);
            List<ProcessHandle> crash = new ArrayList<>(tree(primary.pid()));
            crash.addAll(tree(waitedFor.pid()));
            IdcFault.nodeAgent(waitedFor.address()).ifPresent(crash::add);
            crash.forEach(ProcessHandle::destroyForcibly);
            Waits.until(Duration.ofSeconds(30), "shard1's recorded primary takes writes again", () ->
                    estate.eventsAfter(mark, "node.started").stream().anyMatch(e -> e.get("message").asText().contains(primary.name()))
                    && isWritable(primary));
            Thread.sleep(1000);
            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertFalse(estate.eventsAfter(mark, "failover.refused").isEmpty(), "the takeover was refused, as it must be");
            assertEquals(List.of(), estate.eventsAfter(mark, "failover.done"), "nobody was promoted");
            assertEquals(primary.name(), ClusterHealth.primary(estate.detail(name).groups().stream()
                    .filter(g -> g.name().equals("shard1")).findFirst().orElseThrow()).orElseThrow().name());
        } finally {
            probe.close();
            estate.startNode(waitedFor.address());
        }
        HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(120));
    }

    private boolean isWritable(NodeView node) {
        try (Connection db = estate.superuser(node, node); Statement st = db.createStatement()) {
            var rs = st.executeQuery("SELECT NOT pg_is_in_recovery()");
            return rs.next() && rs.getBoolean(1);
        } catch (Exception notYet) {
            return false;
        }
    }

    private static List<ProcessHandle> tree(long pid) {
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> all = new ArrayList<>(List.of(root));
        root.descendants().forEach(all::add);
        return all;
    }
}
