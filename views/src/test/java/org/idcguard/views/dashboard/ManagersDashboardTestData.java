package org.idcguard.views.dashboard;

import java.util.List;
import org.idcguard.model.ManagerInfo;

/** A healthy quorum of three, shared by the view tests. */
public final class ManagersDashboardTestData {
    public static final List<ManagerInfo> HEALTHY = List.of(
            new ManagerInfo(1, "https://127.0.1.9:7480", "IDC1", 101, "follower", "follower", 40),
            new ManagerInfo(2, "https://127.0.2.9:7480", "IDC2", 102, "leader", "leader", 40),
            new ManagerInfo(3, "https://127.0.3.9:7480", "site3", 103, "follower", "follower", 39));

    private ManagersDashboardTestData() {
    }
}
