package org.idcguard.agent.drill;

import java.util.List;
import java.util.Optional;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.idcguard.model.SyncPeers;

/** Judgements about a cluster's observed state that drills and tests wait for. */
public final class ClusterHealth {
    private ClusterHealth() {
    }

    /** Every group has one primary and it stands outside the IDC. */
    public static boolean primariesOutside(ClusterDetail d, String idc) {
        return d.groups().stream().allMatch(g -> primary(g).map(p -> !p.idc().equals(idc)).orElse(false));
    }

    /**
     * Fully protected: every node answers, each group has exactly one primary, every standby streams from it, and its
     * sync set names every standby in the other IDC (the normal state a planned switch needs).
     */
    public static boolean fullyProtected(ClusterDetail d) {
        for (GroupView g : d.groups()) {
            List<NodeView> primaries = g.nodes().stream().filter(n -> "primary".equals(n.role())).toList();
            if (primaries.size() != 1) {
                return false;
            }
            NodeView p = primaries.get(0);
            for (NodeView n : g.nodes()) {
                if (n != p && (!"standby".equals(n.role()) || "-".equals(n.syncState()))) {
                    return false;
                }
            }
            // the normal state names every standby of the other IDC; one streaming but left out is not yet protected
            List<NodeView> remote = g.nodes().stream().filter(n -> SyncPeers.mayWaitFor(d.summary().drIdc(), p.idc(), n.idc())).toList();
            if (remote.isEmpty() || !remote.stream().allMatch(n -> g.syncSet().contains(n.name()))) {
                return false;
            }
        }
        return true;
    }

    public static Optional<NodeView> primary(GroupView g) {
        List<NodeView> primaries = g.nodes().stream().filter(n -> "primary".equals(n.role())).toList();
        return primaries.size() == 1 ? Optional.of(primaries.get(0)) : Optional.empty();
    }

    /**
     * Asks the manager until the condition holds; a manager that is busy or restarting is asked again. Throws with
     * what is missing when the limit passes.
     */
    public static void await(ClusterAccess access, String cluster, java.util.function.Predicate<ClusterDetail> condition,
                             long limitMillis, String what) {
        long deadline = System.currentTimeMillis() + limitMillis;
        ClusterDetail last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                last = access.detail(cluster);
                if (condition.test(last)) {
                    return;
                }
            } catch (RuntimeException managerBusyOrRestarting) {
                // asked again below
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
        throw new IllegalStateException("no " + what + " within " + limitMillis / 1000 + " s"
                + (last == null ? "" : " (" + whatIsMissing(last) + ")"));
    }

    /** A sentence on what keeps the cluster from full protection, for reports. */
    public static String whatIsMissing(ClusterDetail d) {
        StringBuilder b = new StringBuilder();
        for (GroupView g : d.groups()) {
            g.nodes().stream().filter(n -> !"primary".equals(n.role()) && (!"standby".equals(n.role()) || "-".equals(n.syncState())))
                    .forEach(n -> b.append(n.name()).append(" is ").append(n.role()).append("/").append(n.syncState()).append("; "));
            b.append(g.name()).append(" sync set ").append(g.syncSet()).append("; ");
        }
        return b.toString();
    }
}
