package org.idcguard.agent.manager.ha;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * What follows the groups' decisions for a whole cluster: IDCs going down and coming back are announced, the
 * coordinator is pointed at moved shard primaries, and the primary and backup IDC swap once every primary moved.
 */
final class ClusterBookkeeping {
    private final MetadataStore store;
    private final EventLog events;
    private final HaActions actions;
    private final ClusterRepository clusters = new ClusterRepository();
    private final Set<String> idcsDown = new HashSet<>();
    /** When an IDC said down first answered again, by key cluster/idc. */
    private final java.util.Map<String, Long> idcsUpSince = new java.util.HashMap<>();
    static final long UP_SETTLE_MILLIS = 5000;

    ClusterBookkeeping(MetadataStore store, EventLog events, HaActions actions) {
        this.store = store;
        this.events = events;
        this.actions = actions;
    }

    /** IDCs of the cluster in which no node answered this tick; announced when that changes. */
    Set<String> downIdcs(ClusterView v, Map<String, NodeState> states) {
        Set<String> down = new HashSet<>();
        v.nodes().stream().map(NodeRecord::idc).distinct()
                .filter(idc -> v.nodes().stream().filter(n -> n.idc().equals(idc)).allMatch(n -> states.get(n.name()).down()))
                .forEach(down::add);
        announceIdcs(v.cluster(), down);
        return down;
    }

    /** After the groups' actions were started: routing and the IDC swap. */
    void afterGroups(ClusterView v, Map<String, NodeState> states) {
        if (actions.routingStale.contains(v.cluster().name())) {
            routeShards(v, states);
        }
        swapIdcsWhenAllMoved(v);
    }

    private void routeShards(ClusterView v, Map<String, NodeState> states) {
        Optional<NodeRecord> coordinator = v.nodes().stream().filter(n -> "coordinator".equals(n.group()) && n.isPrimary()).findFirst();
        if (coordinator.isEmpty() || !states.get(coordinator.get().name()).answering()
                || actions.busy(HaLock.group(v.cluster().name(), "coordinator"))) {
            return;
        }
        String name = v.cluster().name();
        actions.submit(HaLock.routing(name), () -> {
            // the record as it is now: a failover that ended after this tick's snapshot changed a shard's primary
            List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, name));
            NodeRecord coordinatorNow = nodes.stream().filter(n -> "coordinator".equals(n.group()) && n.isPrimary()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the coordinator has no recorded primary"));
            int changed = ShardRouting.apply(v.cluster(), coordinatorNow, nodes);
            actions.routingStale.remove(name);
            if (changed > 0) {
                events.record("routing.updated", name, "The coordinator now tries each shard's new primary first (" + changed
                        + " foreign server(s) updated).");
            }
        });
    }

    /** When every group's primary stands in the backup IDC, the two IDCs have swapped roles. */
    private void swapIdcsWhenAllMoved(ClusterView v) {
        ClusterRecord c = v.cluster();
        boolean allInBackup = v.nodes().stream().filter(NodeRecord::isPrimary).allMatch(n -> n.idc().equals(c.backupIdc()))
                && v.nodes().stream().anyMatch(NodeRecord::isPrimary);
        if (allInBackup) {
            // back from the DR city, the main city's other IDC is the backup, not the DR IDC
            String backup = c.runsInDrCity() ? c.mainPartner(c.backupIdc(), v.nodes()) : c.primaryIdc();
            store.inTransaction(tx -> {
                clusters.setIdcs(tx, c.name(), c.backupIdc(), backup);
                events.record(tx, "cluster.idc-swapped", c.name(), "Every primary of " + c.name() + " is now in " + c.backupIdc()
                        + ": it is the primary IDC, and " + backup + " the backup.");
                return null;
            });
        }
    }

    /**
     * Says when an IDC goes down and when it is back. Down is said at once; back only once it has answered for
     * {@link #UP_SETTLE_MILLIS}: while a lost IDC rejoins, its nodes are stopped and rewound one after another and
     * it may look lost again for a tick, which would read as "down" between two "up"s.
     */
    private void announceIdcs(ClusterRecord cluster, Set<String> downIdcs) {
        long now = System.currentTimeMillis();
        for (String idc : downIdcs) {
            String key = cluster.name() + "/" + idc;
            idcsUpSince.remove(key);
            if (idcsDown.add(key)) {
                events.record("idc.down", cluster.name(), "IDC " + idc + " is down for " + cluster.name()
                        + ": none of its nodes answered the last probes.");
            }
        }
        idcsDown.removeIf(k -> {
            if (k.startsWith(cluster.name() + "/") && !downIdcs.contains(k.substring(cluster.name().length() + 1))) {
                long since = idcsUpSince.computeIfAbsent(k, x -> now);
                if (now - since < UP_SETTLE_MILLIS) {
                    return false;
                }
                idcsUpSince.remove(k);
                events.record("idc.up", cluster.name(), "IDC " + k.substring(cluster.name().length() + 1) + " answers again for "
                        + cluster.name() + ".");
                return true;
            }
            return false;
        });
    }

}
