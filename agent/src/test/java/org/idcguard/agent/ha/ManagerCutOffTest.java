package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.drill.NetworkCut;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The manager alone is cut off from IDC1 (its packets to IDC1 dropped; IDC1 and IDC2 still replicate): the primaries
 * miss every probe, but the standbys in IDC2 still receive their WAL, so nothing is failed over, and the timeline
 * says why. When the cut heals, the same primaries are in place and the cluster is fully protected.
 */
@org.junit.jupiter.api.Tag("long")
class ManagerCutOffTest {

    @Test
    void aManagerCutOffFromTheLivePrimaryIdcTakesNothingOver() throws Exception {
        Assumptions.assumeTrue(NetworkCut.available(), "needs root and nftables");
        try (LocalEstate estate = HaEstates.start(22, Map.of())) {
            HaEstates.createCluster(estate, "Cut");
            ClusterDetail before = estate.detail("Cut");
            try (NetworkCut cut = new NetworkCut(estate.access().computersOf("IDC1"))) {
                Waits.until(Duration.ofSeconds(30), "the manager withholds the failover of both groups",
                        () -> estate.events("failover.withheld").size() >= 2);
                Waits.until(Duration.ofSeconds(10), "IDC1 is down as the manager sees it", () -> !estate.events("idc.down").isEmpty());
                Thread.sleep(5000); // a cut lasting well past the failure window: the manager must go on withholding
            }
            assertEquals(List.of(), estate.events("failover.started"), "no takeover while IDC1 lives");
            JsonNode withheld = estate.events("failover.withheld").get(0);
            assertTrue(withheld.get("message").asText().contains("still receive its WAL"), withheld.toString());
            HaEstates.awaitFullProtection(estate, "Cut", Duration.ofSeconds(60));
            ClusterDetail after = estate.detail("Cut");
            for (GroupView g : after.groups()) {
                GroupView was = before.groups().stream().filter(b -> b.name().equals(g.name())).findFirst().orElseThrow();
                assertEquals(ClusterHealth.primary(was).orElseThrow().name(), ClusterHealth.primary(g).orElseThrow().name(),
                        "the primary of " + g.name() + " did not move");
            }
            assertEquals(List.of(), estate.events("node.fenced"));
        }
    }
}
