package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.IdcRepository;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.SyncStandbyNames;
import org.idcguard.model.HaSettings;
import org.idcguard.model.Idc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SyncSetKeeper}'s two-probe rule, probe by probe, without PostgreSQL: the primary's position from which a
 * standby left out acknowledges nothing (or from which a newcomer is waited for) is taken only on a probe after one
 * that showed every left-out WAL sender as async (the newcomer's as quorum). pg_reload_conf() returns before the WAL
 * senders reread the setting, and until one has, pg_stat_replication still counts it ({@link WalSenderReloadTest}).
 *
 * <p>A real metadata store on H2, filled through the production repositories; the observations are what the HA loop
 * builds from a probe (the primary's position is read before pg_stat_replication, so a standby's flush may pass it).
 * The primary's synchronous_standby_names already is what the keeper wants, so {@code maintain} asks PostgreSQL
 * nothing; each probe is one the loop would hand the keeper ({@link HaDecision#syncSetNeedsWork}).
 */
class SyncSetKeeperTest {
    private static final ClusterRecord CLUSTER = new ClusterRecord("c", "intra-city", "Shenzhen", "IDC1", "IDC2", 1, 2, "app",
            "app", "pw", "admin", "pw", "available", ClusterRecord.RUNNING);
    /** Nothing listens there: a keeper that wrongly went to PostgreSQL fails at once. */
    private static final String ADDRESS_IDC1 = "127.0.0.1";
    private static final String ADDRESS_IDC2 = "127.0.0.2";

    @TempDir
    Path dir;
    private MetadataStore store;
    private final ClusterRepository clusters = new ClusterRepository();
    private SyncSetKeeper keeper;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aStandbyLeftOutStaysNamedUntilOneWaitedForHasFlushedPastThePositionReadAfterItsWalSenderWasSeenAsync() {
        // b left the desired set (its host is down), a's primary already waits for a alone; the record still names b
        open(List.of("a"), List.of("a", "b"));
        NodeState a = standby("a");
        NodeState b = down("b");

        // b's WAL sender has not reread the setting: it is counted and may release commits b acknowledges, whatever a holds
        probe(primary(1000, List.of("a"), replica("a", "quorum", 1100), replica("b", "quorum", 900)), a, b);
        assertNamed(List.of("a", "b"), "b's WAL sender is still counted (quorum): a being ahead says nothing yet");
        probe(primary(1500, List.of("a"), replica("a", "quorum", 1500), replica("b", "quorum", 900)), a, b);
        assertNamed(List.of("a", "b"), "b's WAL sender is still counted on a later probe");

        // the first sighting of async: this probe's position was read before it, so it is not the one to reach
        probe(primary(2000, List.of("a"), replica("a", "quorum", 2000), replica("b", "async", 900)), a, b);
        assertNamed(List.of("a", "b"), "the probe that first shows b async takes no position");

        // the position is read on the next probe: 3000
        probe(primary(3000, List.of("a"), replica("a", "quorum", 2500), replica("b", "async", 900)), a, b);
        assertNamed(List.of("a", "b"), "a flushed past the sighting probe's position (2000), not past 3000");
        probe(primary(4000, List.of("a"), replica("a", "quorum", 2999), replica("b", "async", 900)), a, b);
        assertNamed(List.of("a", "b"), "a is still short of 3000");

        probe(primary(5000, List.of("a"), replica("a", "quorum", 3000), replica("b", "async", 900)), a, b);
        assertNamed(List.of("a"), "a flushed to 3000: whatever b acknowledged, a holds");
        assertEquals(List.of("a"), group().syncStandbys(), "the recorded sync set");
        assertFalse(HaDecision.syncSetNeedsWork(facts(primary(6000, List.of("a"), replica("a", "quorum", 6000),
                replica("b", "async", 900)), a, b)), "nothing left for the keeper to do");
        assertEquals(0, events("sync.configured"), "the primary's setting was never changed here");
    }

    @Test
    void aLeftOutStandbyWhoseWalSenderIsGoneCountsAsAppliedAndTheNextProbesPositionIsReached() {
        open(List.of("a"), List.of("a", "b"));
        NodeState a = standby("a");
        NodeState b = down("b");

        probe(primary(1000, List.of("a"), replica("a", "quorum", 1000)), a, b);
        assertNamed(List.of("a", "b"), "no WAL sender of b: that is the sighting, and its position is not the one");
        probe(primary(2000, List.of("a"), replica("a", "quorum", 1999)), a, b);
        assertNamed(List.of("a", "b"), "the position (2000) is read on this probe and not reached on it");
        probe(primary(3000, List.of("a"), replica("a", "quorum", 2000)), a, b);
        assertNamed(List.of("a"), "a flushed to 2000");
    }

    @Test
    void aNewcomerIsRecordedOnlyOnceItFlushedPastThePositionReadAfterItsWalSenderWasSeenCounted() {
        // c streams again and the primary was told to wait for it too: c is configured, not yet recorded
        open(List.of("a"), List.of("a", "c"));
        NodeState a = standby("a");
        NodeState c = standby("c");

        // c's WAL sender has not reread the widening: commits do not wait for it yet, so its flush proves nothing
        probe(primary(1000, List.of("a", "c"), replica("a", "quorum", 1000), replica("c", "async", 1100)), a, c);
        assertRecorded(List.of("a"), "c's WAL sender is not counted yet (async)");
        probe(primary(2000, List.of("a", "c"), replica("a", "quorum", 2000), replica("c", "quorum", 2100)), a, c);
        assertRecorded(List.of("a"), "the probe that first shows c counted takes no position");
        probe(primary(3000, List.of("a", "c"), replica("a", "quorum", 3000), replica("c", "quorum", 2500)), a, c);
        assertRecorded(List.of("a"), "c flushed past the sighting probe's position (2000), not past 3000");
        probe(primary(4000, List.of("a", "c"), replica("a", "quorum", 4000), replica("c", "quorum", 2999)), a, c);
        assertRecorded(List.of("a"), "c is still short of 3000");
        probe(primary(5000, List.of("a", "c"), replica("a", "quorum", 5000), replica("c", "quorum", 3000)), a, c);
        assertRecorded(List.of("a", "c"), "c flushed to 3000: it holds every commit from before it was counted");
        assertEquals(1, events("sync.added"), "c's joining is on the timeline");
        assertEquals(0, events("sync.configured"), "the primary's setting was never changed here");
    }

    /** The store as the manager leaves it: IDCs, computers, the cluster, its group with both sets, its nodes. */
    private void open(List<String> recorded, List<String> configured) {
        store = MetadataStore.open(dir);
        IdcRepository idcs = new IdcRepository();
        store.inTransaction(c -> {
            idcs.insert(c, new Idc("IDC1", "Guangdong", "Shenzhen"));
            idcs.insert(c, new Idc("IDC2", "Guangdong", "Shenzhen"));
            // enrolment's own insert is not public; the row it writes for a reachable computer
            for (String[] computer : List.of(new String[] {ADDRESS_IDC1, "IDC1"}, new String[] {ADDRESS_IDC2, "IDC2"})) {
                try (PreparedStatement st = c.prepareStatement("INSERT INTO computer (address, agent_endpoint, idc, status, cpus, "
                        + "memory_bytes, free_disk_bytes, postgres_version, postgres_bin_dir, last_seen_millis) "
                        + "VALUES (?, ?, ?, 'REACHABLE', 2, 1, 1, '15', '', 0)")) {
                    st.setString(1, computer[0]);
                    st.setString(2, "http://" + computer[0] + ":7481");
                    st.setString(3, computer[1]);
                    st.executeUpdate();
                }
            }
            clusters.insert(c, CLUSTER);
            // as ClusterCreation does: the group, then its sync set recorded and configured
            clusters.insertGroup(c, new GroupRecord("c", "g", "shard", 1, List.of(), 0));
            clusters.setSyncSet(c, "c", "g", recorded);
            clusters.setConfiguredStandbys(c, "c", "g", configured);
            clusters.insertNode(c, new NodeRecord("p", "c", "g", "IDC1", ADDRESS_IDC1, null, 1, "", "primary", false));
            int port = 1;
            for (String n : List.of("a", "b", "c")) {
                clusters.insertNode(c, new NodeRecord(n, "c", "g", "IDC2", ADDRESS_IDC2, null, port++, "", "standby", false));
            }
            return null;
        });
        keeper = new SyncSetKeeper(store, new EventLog(store), new SqlNodes(new ActionSessions()));
    }

    /** One probe handed to the keeper as the HA loop does (HaActions' MAINTAIN_SYNC). */
    private void probe(NodeState primary, NodeState... standbys) {
        GroupFacts f = facts(primary, standbys);
        assertTrue(HaDecision.syncSetNeedsWork(f), "the HA loop would not call the keeper on this probe");
        try {
            keeper.maintain(f.cluster(), f.group().name(), f.primary().orElseThrow(), f.members(), f.stalled());
        } catch (SQLException e) {
            throw new AssertionError("the keeper went to PostgreSQL: " + e.getMessage(), e);
        }
    }

    private GroupFacts facts(NodeState primary, NodeState... standbys) {
        List<NodeState> members = new ArrayList<>(List.of(primary));
        members.addAll(List.of(standbys));
        return new GroupFacts(CLUSTER, group(), members, Set.of(), HaSettings.DEFAULTS, System.currentTimeMillis(),
                Optional.empty(), Map.of());
    }

    /** The primary p at a position, waiting for the named standbys, with its pg_stat_replication rows. */
    private NodeState primary(long lsn, List<String> waitsFor, NodeObservation.Replica... replicas) {
        return new NodeState(node("p"), 0, false, Optional.of(new NodeObservation(false, lsn, false,
                SyncStandbyNames.of(waitsFor), Optional.empty(), List.of(replicas), true)));
    }

    private static NodeObservation.Replica replica(String name, String syncState, long flushLsn) {
        return new NodeObservation.Replica(name, "streaming", syncState, flushLsn);
    }

    /** A standby that answers and hears the primary. */
    private NodeState standby(String name) {
        NodeRecord p = node("p");
        return new NodeState(node(name), 0, false, Optional.of(new NodeObservation(true, 0, false, "",
                Optional.of(new NodeObservation.Receiver("streaming", p.address(), p.port(), 100)), List.of(), true)));
    }

    /** A standby whose probes fail: its host is gone, while the primary's WAL sender for it may linger. */
    private NodeState down(String name) {
        return new NodeState(node(name), 3, true, Optional.empty());
    }

    private NodeRecord node(String name) {
        return store.inTransaction(c -> clusters.nodes(c, "c")).stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow();
    }

    private GroupRecord group() {
        return store.inTransaction(c -> clusters.groups(c, "c")).stream().filter(g -> g.name().equals("g")).findFirst()
                .orElseThrow();
    }

    private void assertNamed(List<String> expected, String why) {
        assertEquals(expected, group().configuredStandbys().stream().sorted().toList(), "configured standbys: " + why);
    }

    private void assertRecorded(List<String> expected, String why) {
        assertEquals(expected, group().syncStandbys().stream().sorted().toList(), "recorded sync set: " + why);
    }

    private long events(String kind) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM event WHERE kind = ?")) {
                st.setString(1, kind);
                var rs = st.executeQuery();
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
