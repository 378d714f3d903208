package org.idcguard.agent.manager.ha;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.model.HaSettings;

/**
 * Everything one decision about a group rests on, taken at one tick: the record, what the probes saw, the settings
 * and the clock. {@link HaDecision} reads nothing else.
 *
 * @param downIdcs     IDCs of the cluster in which no node answered
 * @param openIntent   a failover or switch of this group that was begun and not ended
 * @param lingering    since when a condition has lasted, by key: {@code astray:<node>} for a standby that answers but
 *                     does not stream from the primary, {@code recovering:<node>} for a recorded primary in recovery
 */
public record GroupFacts(ClusterRecord cluster, GroupRecord group, List<NodeState> members, Set<String> downIdcs,
                         HaSettings settings, long now, Optional<FailoverIntents.Intent> openIntent, Map<String, Long> lingering) {

    public String subject() {
        return cluster.name() + "/" + group.name();
    }

    public Optional<NodeState> primary() {
        return members.stream().filter(m -> m.node().isPrimary()).findFirst();
    }

    /**
     * Standbys that answer but have not streamed from the primary for longer than a repointed standby needs to
     * connect: under the available policy commits must not wait for them (they would until the astray rule, 10 s).
     */
    Set<String> stalled() {
        return members.stream().map(NodeState::name).filter(n -> lasted("astray:" + n) > SyncSetRule.STALL_MILLIS)
                .collect(java.util.stream.Collectors.toSet());
    }

    /** How long a lingering condition has lasted, 0 if it does not. */
    long lasted(String key) {
        Long since = lingering.get(key);
        return since == null ? 0 : now - since;
    }
}
