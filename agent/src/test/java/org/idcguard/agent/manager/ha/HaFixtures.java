package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.model.HaSettings;

/** Nodes, observations and groups made up for the pure HA rules: one group g of cluster c, IDC1 primary, IDC2 backup. */
final class HaFixtures {
    static final long NOW = 1_000_000;

    private HaFixtures() {
    }

    static NodeRecord record(String name, String idc, String role, boolean needsRejoin) {
        return new NodeRecord(name, "c", "g", idc, "10.0.0." + Math.abs(name.hashCode() % 250), "e", 5432, "", role, needsRejoin);
    }

    static NodeState primaryDown() {
        return new NodeState(record("p", "IDC1", "primary", false), 3, true, Optional.empty());
    }

    static NodeState down(String name, String idc) {
        return new NodeState(record(name, idc, "standby", false), 3, true, Optional.empty());
    }

    static NodeState standby(String name, String idc, long lsn) {
        return new NodeState(record(name, idc, "standby", false), 0, false, Optional.of(standbyObservation(lsn, Optional.empty(), true)));
    }

    static NodeState standby(String name, String idc, NodeObservation seen) {
        return new NodeState(record(name, idc, "standby", false), 0, false, Optional.of(seen));
    }

    static NodeObservation standbyObservation(long lsn, Optional<NodeObservation.Receiver> receiver, boolean upstreamSet) {
        return new NodeObservation(true, lsn, false, "", receiver, List.of(), upstreamSet);
    }

    /** A standby that hears the primary p now. */
    static NodeObservation hearingPrimary(NodeState primary) {
        return standbyObservation(100, Optional.of(new NodeObservation.Receiver("streaming", primary.node().address(),
                primary.node().port(), 200)), true);
    }

    /** A healthy primary p waiting for the named standbys, each of which streams from it. */
    static NodeState primaryUp(List<String> syncNames, List<String> streaming) {
        List<NodeObservation.Replica> replicas = new ArrayList<>();
        streaming.forEach(n -> replicas.add(new NodeObservation.Replica(n, "streaming", syncNames.contains(n) ? "quorum" : "async", 100)));
        String names = syncNames.isEmpty() ? "" : "ANY 1 (" + String.join(", ", syncNames.stream().map(n -> "\"" + n + "\"").toList()) + ")";
        return new NodeState(record("p", "IDC1", "primary", false), 0, false,
                Optional.of(new NodeObservation(false, 100, false, names, Optional.empty(), replicas, true)));
    }

    static NodeState missedProbes(NodeState n, int failures) {
        return new NodeState(n.node(), failures, false, Optional.empty());
    }

    static NodeState writable(String name, String idc) {
        return new NodeState(record(name, idc, "standby", false), 0, false,
                Optional.of(new NodeObservation(false, 100, false, "", Optional.empty(), List.of(), true)));
    }

    static NodeState markedForRejoin(NodeState n) {
        NodeRecord r = n.node();
        return new NodeState(new NodeRecord(r.name(), r.cluster(), r.group(), r.idc(), r.address(), r.agentEndpoint(), r.port(),
                r.dataDir(), r.role(), true), n.failures(), n.down(), n.observation());
    }

    static ClusterRecord cluster(String policy) {
        return new ClusterRecord("c", "intra-city", "Shenzhen", "IDC1", "IDC2", 1, 2, "app", "app", "pw", "admin", "pw",
                policy, ClusterRecord.RUNNING);
    }

    static GroupRecord group(List<String> sync) {
        return new GroupRecord("c", "g", "shard", 1, sync, 1, sync);
    }

    static Facts facts(NodeState... members) {
        return new Facts(List.of(members));
    }

    /** A builder of GroupFacts with sensible defaults: available policy, sync set b1, b2, nothing lingering. */
    static final class Facts {
        private final List<NodeState> members;
        private List<String> sync = List.of("b1", "b2");
        private Set<String> downIdcs = Set.of();
        private String policy = "available";
        private Optional<FailoverIntents.Intent> intent = Optional.empty();
        private final Map<String, Long> lingering = new HashMap<>();

        Facts(List<NodeState> members) {
            this.members = members;
        }

        Facts strict() {
            policy = "strict";
            return this;
        }

        Facts sync(String... names) {
            sync = List.of(names);
            return this;
        }

        Facts idcDown(String idc) {
            downIdcs = Set.of(idc);
            return this;
        }

        Facts intent(String step) {
            intent = Optional.of(new FailoverIntents.Intent(7, IntentKind.FAILOVER, "c", "g", "p", "b1", "lost", IntentStep.fromStored(step)));
            return this;
        }

        Facts lingering(String key, long forMillis) {
            lingering.put(key, NOW - forMillis);
            return this;
        }

        GroupFacts build() {
            return new GroupFacts(cluster(policy), group(sync), members, downIdcs, HaSettings.DEFAULTS, NOW, intent, lingering);
        }
    }
}
