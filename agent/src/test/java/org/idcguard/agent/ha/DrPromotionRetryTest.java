package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * The backup-city promotion on real PostgreSQL, where it must not leave a main-city primary acknowledging and must be
 * finishable when it stopped half-way. The main city's PostgreSQL frozen while its node agents answer: the promotion is
 * refused, since those node agents report the primaries running and their leases could still hold. The main city
 * powered off: the promotion waits for the primaries' leases to run out; shard1's DR standby frozen during that wait, only
 * the coordinator moves; promoted again, it finishes: one primary per group, all in the DR city, and the cluster's IDCs
 * swapped.
 */
@org.junit.jupiter.api.Tag("long")
class DrPromotionRetryTest {
    private static final int BLOCK = 62;

    @Test
    void refusedWhileAMainCityPrimaryRunsThenWaitsForTheLeasesAndARetryFinishesWhatIsLeft() throws Exception {
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of())) {
            estate.addIdc("IDC3", "Guangdong", "Guangzhou", List.of("127.0." + BLOCK + ".5"));
            JsonNode created = estate.createCluster("{\"name\":\"Half\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\",\"backupIdc\":\"IDC2\","
                    + "\"shards\":1,\"nodesPerIdc\":1,\"drIdc\":\"IDC3\",\"computers\":[\"127.0." + BLOCK + ".1\",\"127.0." + BLOCK
                    + ".3\",\"127.0." + BLOCK + ".5\"]}");
            assertEquals("succeeded", created.get("status").asText(), created.toString());
            HaEstates.awaitFullProtection(estate, "Half", Duration.ofSeconds(60));
            ClusterDetail before = estate.detail("Half");

            // The main city's PostgreSQL frozen, its node agents answering: nothing answers the manager as primary, but the
            // node agents report the primaries running, and their leases could still hold.
            List<ProcessHandle> mainPostgres = new ArrayList<>();
            for (GroupView g : before.groups()) {
                g.nodes().stream().filter(n -> !n.idc().equals("IDC3")).forEach(n -> mainPostgres.addAll(PrimaryFailureTest.processTree(n.pid())));
            }
            PrimaryFailureTest.signal("-STOP", mainPostgres);
            try {
                JsonNode[] preflight = new JsonNode[1];
                try {
                    // the manager's last look at a frozen primary stands until its probes give up on it, and a loop busy with
                    // the frozen group (a sync-set change waiting on a frozen server) looks later still: 20 s ran out once in CI
                    Waits.until(Duration.ofSeconds(60), "the preflight sees no main-city primary answer",
                            () -> (preflight[0] = estate.api().get("/api/clusters/Half/dr/promote?to=IDC3").json()).get("blockers").isEmpty());
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + ": " + preflight[0], e);
                }
                var refused = estate.api().post("/api/clusters/Half/dr/promote", "{\"to\":\"IDC3\",\"acceptLoss\":true}");
                assertEquals(409, refused.status(), "a main-city primary its node agent reports running may still acknowledge: " + refused.body());
                assertTrue(refused.error().contains("reports") && refused.error().contains("lease"), refused.error());
                assertTrue(drNodes(estate.detail("Half")).stream().allMatch(n -> n.role().equals("standby")), "a refusal changes nothing");
            } finally {
                List<String> mainCity = new ArrayList<>(estate.access().computersOf("IDC1"));
                mainCity.addAll(estate.access().computersOf("IDC2"));
                new IdcFault(IdcFault.Kind.POWER_OFF, mainCity).apply(); // kills the frozen processes too
            }

            // The main city powered off: the promotion waits for the leases; shard1's DR standby freezes meanwhile.
            NodeView shard1Dr = drNode(before, "shard1");
            List<ProcessHandle> shard1DrProcesses = PrimaryFailureTest.processTree(shard1Dr.pid());
            Waits.until(Duration.ofSeconds(20), "the preflight is clear", () -> estate.api().get("/api/clusters/Half/dr/promote?to=IDC3")
                    .json().get("blockers").isEmpty());
            long mark = estate.lastEventId();
            var first = estate.api().post("/api/clusters/Half/dr/promote", "{\"to\":\"IDC3\",\"acceptLoss\":true}");
            assertEquals(202, first.status(), first.body());
            Waits.until(Duration.ofSeconds(20), "the promotion says it waits for the leases", () -> !estate.eventsAfter(mark, "dr.waiting").isEmpty());
            PrimaryFailureTest.signal("-STOP", shard1DrProcesses);
            JsonNode half;
            try {
                half = estate.awaitTask(first.json().get("id").asLong(), Duration.ofMinutes(2));
            } finally {
                PrimaryFailureTest.signal("-CONT", shard1DrProcesses);
            }
            String waiting = estate.eventsAfter(mark, "dr.waiting").get(0).get("message").asText();
            assertTrue(waiting.matches("Waiting [1-9]\\d* s until IDC1's primaries' leases have run out.*"), waiting);
            assertEquals("failed", half.get("status").asText(), "shard1's DR standby was frozen: " + half);
            ClusterDetail halfway = estate.detail("Half");
            assertEquals("IDC3", primaryOf(halfway, "coordinator").idc(), "the coordinator moved");
            assertFalse(drNode(halfway, "shard1").role().equals("primary"), "shard1 did not move: " + half);
            assertEquals("IDC1", halfway.summary().primaryIdc(), "the IDCs swap only once every group moved");

            Waits.until(Duration.ofSeconds(20), "shard1's DR standby answers again", () -> estate.api()
                    .get("/api/clusters/Half/dr/promote?to=IDC3").json().get("blockers").isEmpty());
            var retry = estate.api().post("/api/clusters/Half/dr/promote", "{\"to\":\"IDC3\",\"acceptLoss\":true}");
            assertEquals(202, retry.status(), "a retry finishes what is left: " + retry.body());
            JsonNode done = estate.awaitTask(retry.json().get("id").asLong(), Duration.ofMinutes(2));
            assertEquals("succeeded", done.get("status").asText(), done.toString());
            ClusterDetail promoted = estate.detail("Half");
            for (GroupView g : promoted.groups()) {
                List<NodeView> primaries = g.nodes().stream().filter(n -> n.role().equals("primary")).toList();
                assertEquals(1, primaries.size(), g.name() + " has one primary: " + primaries);
                assertEquals("IDC3", primaries.get(0).idc(), g.name());
            }
            assertEquals("IDC3", promoted.summary().primaryIdc());
            assertEquals("IDC1", promoted.summary().backupIdc());
            assertFalse(estate.events("dr.promoted").isEmpty());
            System.out.printf("DR promotion retried: %s; the first attempt: %s; the retry: %s%n", waiting, half.get("message"),
                    done.get("message"));
        }
    }

    private static List<NodeView> drNodes(ClusterDetail d) {
        return d.groups().stream().flatMap(g -> g.nodes().stream()).filter(n -> n.idc().equals("IDC3")).toList();
    }

    private static NodeView drNode(ClusterDetail d, String group) {
        return d.groups().stream().filter(g -> g.name().equals(group)).findFirst().orElseThrow().nodes().stream()
                .filter(n -> n.idc().equals("IDC3")).findFirst().orElseThrow();
    }

    private static NodeView primaryOf(ClusterDetail d, String group) {
        return d.groups().stream().filter(g -> g.name().equals(group)).findFirst().orElseThrow().nodes().stream()
                .filter(n -> n.role().equals("primary")).findFirst().orElseThrow();
    }
}
