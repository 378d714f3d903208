package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.drill.NetworkCut;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.WalStreamDrop;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * Cross-city DR on real PostgreSQL: a cluster in Shenzhen (IDC1, IDC2) with a DR IDC in Guangzhou (IDC3). Its DR
 * standbys stream and are never waited for; losing the whole main city (both IDCs powered off) takes nothing over
 * and raises the city-lost alert; the DBA's promotion moves every primary to IDC3 with the actual loss no more than the
 * estimate shown first; the main city, restored, rejoins as standbys and the planned switch brings the cluster home
 * with nothing lost.
 */
@org.junit.jupiter.api.Tag("long")
class BackupCityTest {
    private static final int BLOCK = 37;

    @Test
    void theMainCityIsLostPromotedByHandRejoinedAndBroughtHome() throws Exception {
        assumeTrue(NetworkCut.available(), "needs root and nft to stall the cross-city link");
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of())) {
            List<String> idc3 = List.of("127.0." + BLOCK + ".5", "127.0." + BLOCK + ".6");
            estate.addIdc("IDC3", "Guangdong", "Guangzhou", idc3);
            JsonNode created = estate.createCluster("{\"name\":\"Dr\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\",\"backupIdc\":\"IDC2\","
                    + "\"shards\":1,\"nodesPerIdc\":2,\"drIdc\":\"IDC3\"}");
            assertEquals("succeeded", created.get("status").asText(), created.toString());
            HaEstates.awaitFullProtection(estate, "Dr", Duration.ofSeconds(60));

            ClusterDetail before = estate.detail("Dr");
            assertEquals("IDC3", before.summary().drIdc());
            assertEquals("cross-city", before.summary().kind());
            for (GroupView g : before.groups()) {
                List<NodeView> dr = g.nodes().stream().filter(n -> n.idc().equals("IDC3")).toList();
                assertEquals(1, dr.size(), g.name() + " has one DR standby");
                assertEquals("standby", dr.get(0).role());
                assertEquals("async", dr.get(0).syncState(), "the DR standby streams asynchronously");
                assertFalse(g.syncSet().contains(dr.get(0).name()), "a DR standby is never in a sync set");
            }
            assertTrue(before.uris().jdbc().indexOf(idc3.get(0)) > before.uris().jdbc().indexOf("127.0." + BLOCK + ".4")
                    || before.uris().jdbc().indexOf(idc3.get(1)) > 0, "the DR city's hosts are in the application URI");

            List<String> mainCityComputers = new ArrayList<>();
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before)) {
                ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
                probe.prepare();
                probe.start();
                Waits.until(Duration.ofSeconds(20), "the DR standbys are seen streaming", () -> {
                    JsonNode dr = estate.api().get("/api/clusters/Dr/dr").json();
                    List<String> states = new ArrayList<>();
                    dr.get("groups").forEach(g -> states.add(g.get("state").asText()));
                    return states.size() == 2 && states.stream().allMatch("streaming"::equals) && dr.get("estimatedLossBytes").asLong() >= 0;
                });

                // The cross-city link stalls (what the primaries send the DR standbys is dropped, and the DR standbys are
                // frozen so that none reconnects) while the probe goes on writing, then the main city goes dark: the DR
                // city lacks those commits, and the promotion must say so before it loses them.
                ClusterDetail streaming = estate.detail("Dr");
                List<WalStreamDrop.Streams> drStreams = new ArrayList<>();
                List<ProcessHandle> drProcesses = new ArrayList<>();
                for (GroupView g : streaming.groups()) {
                    List<NodeView> dr = g.nodes().stream().filter(n -> n.idc().equals("IDC3")).toList();
                    drStreams.add(new WalStreamDrop.Streams(ClusterHealth.primary(g).orElseThrow(), dr));
                    dr.forEach(n -> drProcesses.addAll(PrimaryFailureTest.processTree(n.pid())));
                }
                long lostAt;
                try (WalStreamDrop stall = new WalStreamDrop(estate, drStreams)) {
                    PrimaryFailureTest.signal("-STOP", drProcesses);
                    try {
                        long frozenAt = System.currentTimeMillis();
                        Waits.until(Duration.ofSeconds(10), "the probe writes while the DR city is stalled",
                                () -> probe.lastAckMillis() > frozenAt + 1500);
                        List<String> mainCity = new ArrayList<>(estate.access().computersOf("IDC1"));
                        mainCity.addAll(estate.access().computersOf("IDC2"));
                        lostAt = System.currentTimeMillis();
                        new IdcFault(IdcFault.Kind.POWER_OFF, mainCity).apply();
                        mainCityComputers.addAll(mainCity);
                    } finally {
                        PrimaryFailureTest.signal("-CONT", drProcesses);
                    }
                }
                Waits.until(Duration.ofSeconds(30), "the city-lost alert", () -> !estate.events("alert.city-lost").isEmpty());
                long alertAfter = estate.events("alert.city-lost").get(0).get("timeMillis").asLong() - lostAt;
                Thread.sleep(3000); // time for anything automatic to happen: nothing may
                ClusterDetail lost = estate.detail("Dr");
                for (GroupView g : lost.groups()) {
                    g.nodes().stream().filter(n -> n.idc().equals("IDC3"))
                            .forEach(n -> assertEquals("standby", n.role(), n.name() + " is not promoted without the DBA"));
                }
                assertEquals(List.of(), estate.events("failover.done"));

                JsonNode plan = estate.api().get("/api/clusters/Dr/dr/promote?to=IDC3").json();
                assertEquals(0, plan.get("blockers").size(), plan.toString());
                long estimated = plan.get("estimatedLossBytes").asLong();
                assertTrue(estimated > 0, "the DR city stalled while commits went on: a loss is expected " + plan);
                var refused = estate.api().post("/api/clusters/Dr/dr/promote", "{\"to\":\"IDC3\"}");
                assertEquals(409, refused.status(), "a loss must be accepted: " + refused.body());
                assertTrue(refused.error().contains("accept"), refused.error());
                assertEquals("standby", estate.detail("Dr").groups().get(0).nodes().stream()
                        .filter(n -> n.idc().equals("IDC3")).findFirst().orElseThrow().role(), "a refusal changes nothing");
                long confirmedAt = System.currentTimeMillis();
                var answer = estate.api().post("/api/clusters/Dr/dr/promote", "{\"to\":\"IDC3\",\"acceptLoss\":true}");
                assertEquals(202, answer.status(), answer.body());
                JsonNode task = estate.awaitTask(answer.json().get("id").asLong(), Duration.ofMinutes(2));
                assertEquals("succeeded", task.get("status").asText(), task.toString());
                long promoteMillis = System.currentTimeMillis() - confirmedAt;

                ClusterDetail promoted = estate.detail("Dr");
                assertEquals("IDC3", promoted.summary().primaryIdc());
                for (GroupView g : promoted.groups()) {
                    assertEquals("IDC3", ClusterHealth.primary(g).orElseThrow().idc(), g.name());
                }
                JsonNode status = estate.api().get("/api/clusters/Dr/dr").json();
                assertEquals(2, status.get("promotions").size(), status.toString());
                long actual = 0;
                for (JsonNode p : status.get("promotions")) {
                    actual += p.get("lossBytes").asLong();
                    assertTrue(p.get("lossBytes").asLong() <= Math.max(0, p.get("estimatedLossBytes").asLong()),
                            "actual loss above the estimate shown: " + p);
                }
                Waits.until(Duration.ofSeconds(30), "writes acknowledged in the DR city",
                        () -> probe.lastAckMillis() > System.currentTimeMillis() - 300 && probe.lastAckMillis() > confirmedAt);

                mainCityComputers.forEach(estate::startNode);
                Waits.until(Duration.ofSeconds(120), "the main city rejoins as standbys of the DR city",
                        () -> ClusterHealth.fullyProtected(estate.detail("Dr")));
                var home = estate.api().post("/api/clusters/Dr/switch", "{\"to\":\"IDC1\"}");
                assertEquals(202, home.status(), home.body());
                JsonNode switched = estate.awaitTask(home.json().get("id").asLong(), Duration.ofMinutes(2));
                assertEquals("succeeded", switched.get("status").asText(), switched.toString());
                ClusterDetail back = estate.detail("Dr");
                assertEquals("IDC1", back.summary().primaryIdc());
                assertEquals("IDC2", back.summary().backupIdc());
                assertEquals("IDC3", back.summary().drIdc());
                HaEstates.awaitFullProtection(estate, "Dr", Duration.ofSeconds(60));
                for (GroupView g : estate.detail("Dr").groups()) {
                    g.nodes().stream().filter(n -> n.idc().equals("IDC3"))
                            .forEach(n -> assertFalse(g.syncSet().contains(n.name()), "back home, the DR standby is async again"));
                }

                ProbeReport report = probe.stop();
                long lostAfterPromotion = probe.lostAckedAfter(confirmedAt);
                assertEquals(0, lostAfterPromotion, "writes acknowledged in the DR city and lost on the way home: " + report);
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
                System.out.printf("backup city: alert %d ms after the power-off, promotion %d ms after confirming; estimated %d B, "
                        + "actual %d B, probe rows lost %d (acknowledged before the main city went dark)%n", alertAfter, promoteMillis,
                        estimated, actual, report.missing());
                assertTrue(report.missing() > 0, "the commits the stalled DR city lacked are lost, as estimated: " + report);
            }
        }
    }
}
