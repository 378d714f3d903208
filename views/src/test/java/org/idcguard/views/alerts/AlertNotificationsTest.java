package org.idcguard.views.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.idcguard.model.Alert;
import org.junit.jupiter.api.Test;

/** A burst of alerts (an IDC lost at 16 shards) is summed up in one sentence, worst first, per cluster. */
class AlertNotificationsTest {

    @Test
    void aBurstIsSummedUpPerClusterAndKind() {
        List<Alert> burst = new ArrayList<>();
        long id = 1;
        burst.add(new Alert(id, id++, 0, "critical", "idc.down", "B16", "IDC IDC1 is down for B16.", 0));
        for (int shard = 1; shard <= 16; shard++) {
            burst.add(new Alert(id, id++, 0, "warning", "failover.done", "B16/shard" + shard, "done", 0));
            burst.add(new Alert(id, id++, 0, "critical", "alert.protection-lost", "B16/shard" + shard, "lost", 0));
        }
        burst.add(new Alert(id, id, 0, "warning", "computer.unreachable", "127.0.1.1", "unreachable", 0));
        assertEquals("B16: 1 × IDC down, 16 × IDC protection lost, 16 × takeover done\ncomputers: 1 × computer unreachable\n"
                + "The Alerts screen lists each one to acknowledge.", AlertNotifications.summary(burst));
    }
}
