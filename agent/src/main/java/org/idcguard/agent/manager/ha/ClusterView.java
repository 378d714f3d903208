package org.idcguard.agent.manager.ha;

import java.util.List;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;

/** A running cluster as recorded at one moment: its groups and nodes. */
record ClusterView(ClusterRecord cluster, List<GroupRecord> groups, List<NodeRecord> nodes) {
}
