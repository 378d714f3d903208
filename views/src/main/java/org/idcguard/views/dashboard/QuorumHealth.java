package org.idcguard.views.dashboard;

import java.util.List;
import org.idcguard.model.ManagerInfo;

/** The managers' state in one sentence, and whether it is healthy, for the dashboard and the header. */
public record QuorumHealth(String sentence, boolean healthy) {

    public static QuorumHealth of(List<ManagerInfo> managers) {
        if (managers.isEmpty()) {
            return new QuorumHealth("The managers have not answered yet.", false);
        }
        if (managers.size() == 1) {
            return new QuorumHealth("One manager decides and acts alone (no quorum): if its computer is lost, nobody takes over.", true);
        }
        long up = managers.stream().filter(m -> !m.role().equals("down")).count();
        long peers = managers.stream().filter(m -> m.zookeeper().equals("leader") || m.zookeeper().equals("follower")
                || m.zookeeper().equals("external")).count();
        var leader = managers.stream().filter(m -> m.role().equals("leader")).findFirst();
        if (leader.isEmpty()) {
            return new QuorumHealth("No manager leads: " + up + " of " + managers.size() + " managers are up; nobody acts until a "
                    + "majority elects a leader.", false);
        }
        String leads = "manager " + leader.get().id() + (leader.get().idc().isEmpty() ? "" : " (" + leader.get().idc() + ")") + " leads";
        if (up == managers.size() && peers == managers.size()) {
            return new QuorumHealth("Quorum healthy: " + up + " of " + managers.size() + " managers up; " + leads + ".", true);
        }
        long spare = up - (managers.size() / 2 + 1);
        return new QuorumHealth("Quorum degraded: " + up + " of " + managers.size() + " managers up, " + peers + " ZooKeeper peers; "
                + leads + (spare <= 0 ? "; losing one more manager stops every takeover." : "."), false);
    }
}
