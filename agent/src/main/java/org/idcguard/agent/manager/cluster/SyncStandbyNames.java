package org.idcguard.agent.manager.cluster;

import java.util.List;
import java.util.stream.Collectors;

/** The synchronous_standby_names value for a sync set: a commit waits for any one of them. */
public final class SyncStandbyNames {
    private SyncStandbyNames() {
    }

    public static String of(List<String> syncSet) {
        if (syncSet.isEmpty()) {
            return "";
        }
        return "ANY 1 (" + syncSet.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", ")) + ")";
    }
}
