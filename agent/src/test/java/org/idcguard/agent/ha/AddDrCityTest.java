package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * A DR city added to a running intra-city cluster while the probe writes: an IDC of the cluster's own city is refused
 * and changes nothing; an IDC of another city gets one asynchronous standby per group, copied from the primaries,
 * never in a sync set, and nothing acknowledged is lost meanwhile.
 */
@org.junit.jupiter.api.Tag("long")
class AddDrCityTest {
    private static final int BLOCK = 38;

    @Test
    void aRunningClusterGetsItsDrCityWithNothingLost() throws Exception {
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of())) {
            estate.addIdc("IDC3", "Guangdong", "Guangzhou", List.of("127.0." + BLOCK + ".5"));
            estate.addIdc("IDC4", "Guangdong", "Shenzhen", List.of("127.0." + BLOCK + ".6"));
            JsonNode created = estate.createCluster("{\"name\":\"Grow\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\",\"backupIdc\":\"IDC2\","
                    + "\"shards\":1,\"nodesPerIdc\":1,\"computers\":[\"127.0." + BLOCK + ".1\",\"127.0." + BLOCK + ".3\"]}");
            assertEquals("succeeded", created.get("status").asText(), created.toString());
            HaEstates.awaitFullProtection(estate, "Grow", Duration.ofSeconds(60));
            ProbeWorkload probe = new ProbeWorkload(estate.detail("Grow").uris().jdbc());
            probe.prepare();
            probe.start();

            var sameCity = estate.api().post("/api/clusters/Grow/dr", "{\"drIdc\":\"IDC4\"}");
            assertEquals(422, sameCity.status(), sameCity.body());
            assertTrue(sameCity.error().contains("another city"), sameCity.error());
            ClusterDetail unchanged = estate.detail("Grow");
            assertNull(unchanged.summary().drIdc());
            assertEquals(4, unchanged.groups().stream().mapToLong(g -> g.nodes().size()).sum(), "a refusal adds no node");

            var added = estate.api().post("/api/clusters/Grow/dr", "{\"drIdc\":\"IDC3\"}");
            assertEquals(202, added.status(), added.body());
            JsonNode task = estate.awaitTask(added.json().get("id").asLong(), Duration.ofMinutes(2));
            assertEquals("succeeded", task.get("status").asText(), task.toString());
            Waits.until(Duration.ofSeconds(30), "the DR standbys stream", () -> estate.detail("Grow").groups().stream()
                    .allMatch(g -> g.nodes().stream().anyMatch(n -> n.idc().equals("IDC3") && "async".equals(n.syncState()))));
            ClusterDetail grown = estate.detail("Grow");
            assertEquals("IDC3", grown.summary().drIdc());
            assertEquals("cross-city", grown.summary().kind());
            for (GroupView g : grown.groups()) {
                List<NodeView> dr = g.nodes().stream().filter(n -> n.idc().equals("IDC3")).toList();
                assertEquals(1, dr.size(), g.name());
                assertEquals("standby", dr.get(0).role());
                assertFalse(g.syncSet().contains(dr.get(0).name()), "a DR standby is never in a sync set");
            }
            HaEstates.awaitFullProtection(estate, "Grow", Duration.ofSeconds(60));
            var again = estate.api().post("/api/clusters/Grow/dr", "{\"drIdc\":\"IDC3\"}");
            assertEquals(409, again.status(), again.body());

            Thread.sleep(1000);
            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertTrue(report.acked() > 50, report.toString());
        }
    }
}
