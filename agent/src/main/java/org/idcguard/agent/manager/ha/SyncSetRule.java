package org.idcguard.agent.manager.ha;

import java.util.List;
import java.util.Optional;
import org.idcguard.agent.manager.cluster.ClusterRecord;

/**
 * Which standbys a group's primary waits for (DESIGN "Replication rules"): the healthy standbys outside its IDC
 * ({@link ClusterRecord#mayWaitFor}: never the DR city's while the primary is in the main city);
 * when there are none, the policy decides. {@code available} narrows to the healthy standbys of its own IDC (or
 * none) so writes go on, and IDC protection is lost; {@code strict} keeps waiting for the other IDC.
 */
final class SyncSetRule {
    static final String STRICT = "strict";

    private SyncSetRule() {
    }

    /** The standbys to wait for, and whether that keeps every commit in another IDC. */
    record Desired(List<String> standbys, boolean protectedAcrossIdcs) {
    }

    /** How long a standby the primary waits for may answer without streaming from it and still be waited for. */
    static final long STALL_MILLIS = 2000;

    /**
     * @param primary  the group's primary
     * @param members  the group's nodes with their states; a standby outside the primary's IDC counts as healthy when it
     *                 streams from the primary (or is waited for now and has not stalled: {@link #stillWaitedFor}),
     *                 one in its IDC when it answers and has not stalled
     * @param stalled  standbys that answer but have not streamed from the primary for over {@link #STALL_MILLIS}
     */
    static Desired desired(ClusterRecord cluster, NodeState primary, List<NodeState> members, java.util.Set<String> stalled) {
        String policy = cluster.syncPolicy();
        Optional<NodeObservation> seen = primary.observation();
        List<NodeState> standbys = members.stream()
                .filter(m -> !m.name().equals(primary.name()) && !m.node().needsRejoin())
                .toList();
        List<String> waitedFor = seen.map(o -> parse(o.syncNames())).orElse(List.of());
        List<String> outside = standbys.stream()
                .filter(s -> cluster.mayWaitFor(primary.idc(), s.idc()) && !s.down())
                .filter(s -> seen.flatMap(o -> o.replica(s.name())).map(r -> "streaming".equals(r.state())).orElse(false)
                        || stillWaitedFor(s, waitedFor, stalled))
                .map(NodeState::name).sorted().toList();
        if (!outside.isEmpty()) {
            return new Desired(outside, true);
        }
        if (STRICT.equals(policy)) {
            return new Desired(members.stream().filter(m -> cluster.mayWaitFor(primary.idc(), m.idc())).map(NodeState::name).sorted().toList(), true);
        }
        return new Desired(standbys.stream().filter(s -> s.idc().equals(primary.idc()) && s.answering() && !stalled.contains(s.name()))
                .map(NodeState::name).sorted().toList(), false);
    }

    /**
     * A standby the primary waits for now that has stopped streaming from it is kept until it has been silent for
     * longer than {@link #STALL_MILLIS} while the primary went on answering. Its silence may be the primary's own
     * failure (a primary whose IDC is powered off drops its WAL senders a moment before it stops answering), and that
     * is the takeover's to judge: dropping it would leave the takeover no standby recorded as holding every
     * acknowledged commit, and the group with no primary. The astray clock behind {@code stalled} runs only while the
     * primary answers, so a primary that dies resets it.
     */
    private static boolean stillWaitedFor(NodeState standby, List<String> waitedFor, java.util.Set<String> stalled) {
        return waitedFor.contains(standby.name()) && !stalled.contains(standby.name());
    }

    /** The names in a synchronous_standby_names value as IDC Guard writes it: ANY 1 ("a", "b"). */
    static List<String> parse(String syncNames) {
        if (syncNames == null || syncNames.isBlank()) {
            return List.of();
        }
        int open = syncNames.indexOf('(');
        int close = syncNames.lastIndexOf(')');
        String inner = open >= 0 && close > open ? syncNames.substring(open + 1, close) : syncNames;
        return java.util.Arrays.stream(inner.split(",")).map(String::strip).map(n -> n.replace("\"", ""))
                .filter(n -> !n.isEmpty()).sorted().toList();
    }
}
