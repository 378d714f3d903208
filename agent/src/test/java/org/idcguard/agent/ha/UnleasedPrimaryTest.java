package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.idcguard.model.RoleLease;
import org.junit.jupiter.api.Test;

/**
 * A main-city primary acknowledging without the lease check (its node agent gone and its lease file with it, as for a
 * standby promoted by a manager that died before its first lease, or a server without the library) is bounded by
 * nothing once out of sight: the manager says so in an alert while it runs, and once the main city is lost the DR
 * promotion's plan does not pretend to know that group's loss: it is unknown, and the DBA must accept it knowing why.
 */
class UnleasedPrimaryTest {
    private static final int BLOCK = 61;

    @Test
    void aPrimaryWithoutTheLeaseCheckIsAnAlertAndMakesTheDrPromotionsLossUnknown() throws Exception {
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of())) {
            HaEstates.createCrossCityCluster(estate, BLOCK, "Unleased");
            ClusterDetail before = estate.detail("Unleased");
            NodeView primary = ClusterHealth.primary(shard(before)).orElseThrow();
            long mark = estate.lastEventId();

            // Its node agent dies, and the lease file goes: nothing on that computer checks its primaries' commits any more.
            estate.killNode(primary.address());
            List<NodeView> unleased = before.groups().stream().map(g -> ClusterHealth.primary(g).orElseThrow())
                    .filter(p -> p.address().equals(primary.address())).toList();
            for (NodeView p : unleased) {
                Files.deleteIfExists(Path.of(p.dataDir()).resolve(RoleLease.FILE));
            }
            Waits.until(Duration.ofSeconds(15), "an alert says " + primary.name() + " acknowledges without the lease check", () ->
                    estate.eventsAfter(mark, "alert.lease-unenforced").stream().anyMatch(e -> e.get("message").asText()
                            .startsWith("Primary " + primary.name() + " acknowledges commits without the lease check")));
            JsonNode alert = estate.api().get("/api/alerts?open=true").json();
            assertTrue(alert.toString().contains("lease-unenforced"), "the event is an open alert: " + alert);

            List<String> mainCity = new ArrayList<>(estate.access().computersOf("IDC1"));
            mainCity.addAll(estate.access().computersOf("IDC2"));
            new IdcFault(IdcFault.Kind.POWER_OFF, mainCity).apply();
            Waits.until(Duration.ofSeconds(30), "the city-lost alert", () -> !estate.eventsAfter(mark, "alert.city-lost").isEmpty());

            JsonNode plan = estate.api().get("/api/clusters/Unleased/dr/promote?to=IDC3").json();
            assertEquals(0, plan.get("blockers").size(), plan.toString());
            assertTrue(plan.get("unseenMillis").asLong() > 0, "a city out of sight may have acknowledged unseen: the plan says how long "
                    + plan);
            for (JsonNode move : plan.get("groups")) {
                boolean wasUnleased = unleased.stream().anyMatch(p -> p.name().equals(move.get("oldPrimary").asText()));
                assertEquals(wasUnleased, move.get("lossBytes").asLong() < 0,
                        "a group's loss is unknown exactly when its primary was last seen without the lease check: " + move);
            }
            var refused = estate.api().post("/api/clusters/Unleased/dr/promote", "{\"to\":\"IDC3\"}");
            assertEquals(409, refused.status(), refused.body());
            assertTrue(refused.error().contains("an unknown amount") && refused.error().contains("cut off rather than dark")
                    && refused.error().contains(primary.name()
                    + (unleased.size() > 1 ? "," : " acknowledged without the lease check")), refused.error());
            assertTrue(shard(estate.detail("Unleased")).nodes().stream().filter(n -> n.idc().equals("IDC3"))
                    .allMatch(n -> "standby".equals(n.role())), "a refusal changes nothing");
        }
    }

    private static GroupView shard(ClusterDetail d) {
        return d.groups().stream().filter(g -> !g.kind().equals("coordinator")).findFirst().orElseThrow();
    }
}
