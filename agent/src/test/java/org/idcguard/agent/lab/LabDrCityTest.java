package org.idcguard.agent.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.node.PostgresBinaries;
import org.idcguard.agent.testing.AgentProcess;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.TempHome;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The DR city promoted after the main city is cut off, on the lab's separate hosts. The whole of Shenzhen (its four
 * computers and the application host inside it) loses every link to the world: the manager, Guangzhou, the outside
 * application host. Inside the city nothing is dark: the city's application goes on writing through the cluster's URI
 * (a new connection per write) and still reaches its old primaries, their sync standbys still streaming. The DBA reads
 * the plan after the city-lost alert and promotes IDC3 (latest, loss accepted). Only the leases stand between that and a
 * split brain: the old primaries, neither renewed by the manager nor extended by the failsafe (their DR standbys no
 * longer stream), must have stopped acknowledging before the promotion, so no write the city's application was told
 * was committed after the promotion began may be missing once the cut heals and the main city has rejoined as standbys.
 */
@Tag("long")
class LabDrCityTest {
    private static final String CLUSTER = "LabDr";
    private static final Pattern FAULT_AT = Pattern.compile("applied to \\S+ at (\\d+)\\.");

    @Test
    void theDrCityPromotedAfterTheMainCityIsCutOffLosesNoWriteAcknowledgedAfterThePromotionBegan() throws Exception {
        assumeTrue(LabNetwork.whyNot().isEmpty(), () -> "skipped: " + LabNetwork.whyNot().orElse(""));
        assumeTrue(!LabNetwork.isUp(), "skipped: a lab is already up on this machine");
        Path psql = PostgresBinaries.find().orElseThrow().binDir().resolve("psql");
        long testStart = System.currentTimeMillis();
        try (TempHome home = new TempHome()) {
            Path h = home.dir();
            List<AppWriter> writers = new ArrayList<>();
            try {
                cli(h, "lab", "up");
                ApiCaller api = new ApiCaller(h);
                // a city the lab does not have: one sentence, a non-zero exit, and no host gets a fault
                String refused = cliFails(h, "lab", "fault", "cut-city", "Beijing");
                assertTrue(refused.contains("The lab has no city 'Beijing': it has Shenzhen and Guangzhou."), refused);
                for (LabHost host : LabNetwork.HOSTS) {
                    LabNetwork.Result tables = LabNetwork.run(LabNetwork.inside(host, List.of("nft", "list", "tables")));
                    assertTrue(!tables.output().contains(LabNetwork.FAULT_TABLE), host.name() + " has a fault: " + tables.output());
                }
                cli(h, "cluster", "create", CLUSTER, "--city", LabNetwork.MAIN_CITY, "--primary-idc", "IDC1", "--backup-idc", "IDC2",
                        "--dr-idc", "IDC3", "--shards", "1", "--clients", "10.77.8.0/24",
                        "--clients", LabNetwork.cityApplication().address() + "/32");
                Waits.until(Duration.ofSeconds(120), "the cluster is fully protected", () -> ClusterHealth.fullyProtected(detail(api)));
                Waits.until(Duration.ofSeconds(60), "every DR standby streams", () -> {
                    JsonNode dr = api.get("/api/clusters/" + CLUSTER + "/dr").json();
                    List<String> states = new ArrayList<>();
                    dr.get("groups").forEach(g -> states.add(g.get("state").asText()));
                    return states.size() == 2 && states.stream().allMatch("streaming"::equals);
                });
                ClusterDetail created = detail(api);
                String uri = created.uris().libpq();
                for (GroupView g : created.groups()) {
                    assertTrue(g.nodes().stream().anyMatch(n -> n.idc().equals("IDC3") && n.address().equals(LabNetwork.host("c31").address())),
                            g.name() + " has a DR standby on c31: " + g.nodes());
                }

                // two tables: one on the coordinator, one spread over the shard, so both groups' primaries are written
                LabHost cityApp = LabNetwork.cityApplication();
                LabHost outsideApp = LabNetwork.application();
                must(Psql.run(cityApp, psql, uri, "CREATE TABLE city_coord (id bigint PRIMARY KEY)"), "the city's application is let in");
                must(Psql.run(outsideApp, psql, uri, "SELECT idcguard_create_sharded_table('city_shard', 'id bigint NOT NULL', 'id', 0, 'id')"),
                        "the outside application is let in");
                AppWriter coordWriter = AppWriter.on(cityApp, h.resolve("writers"), psql, uri, "city_coord");
                writers.add(coordWriter);
                AppWriter shardWriter = AppWriter.on(cityApp, h.resolve("writers"), psql, uri, "city_shard");
                writers.add(shardWriter);
                awaitMore(coordWriter, 50);
                awaitMore(shardWriter, 50);

                // Shenzhen is cut off; the city's application goes on writing to whatever still answers inside it
                long mark = lastEventId(api);
                String cutOutput = cli(h, "lab", "fault", "cut-city", LabNetwork.MAIN_CITY);
                Matcher at = FAULT_AT.matcher(cutOutput);
                assertTrue(at.find(), cutOutput);
                long cutAt = Long.parseLong(at.group(1));
                JsonNode alert = awaitEvent(api, mark, "alert.city-lost", Duration.ofSeconds(60));
                long alertAt = alert.get("timeMillis").asLong();
                System.out.printf("lab-dr: city-lost alert %d ms after the cut: %s%n", alertAt - cutAt, alert.get("message").asText());
                for (JsonNode e : api.get("/api/events?after=" + mark).json()) {
                    System.out.printf("lab-dr:   event at cut%+d ms %s %s: %s%n", e.get("timeMillis").asLong() - cutAt, e.get("kind").asText(),
                            e.get("subject").asText(), e.get("message").asText());
                }
                assertTrue(api.get("/api/events?after=" + mark).body().indexOf("\"failover.started\"") < 0,
                        "nothing is taken over without the DBA");

                // the DBA reads the plan, then promotes the DR city accepting the loss it shows
                JsonNode[] planSeen = new JsonNode[1];
                Waits.until(Duration.ofSeconds(30), "a plan without blockers", () -> {
                    planSeen[0] = api.get("/api/clusters/" + CLUSTER + "/dr/promote?to=IDC3&mode=latest").json();
                    return planSeen[0].path("blockers").isArray() && planSeen[0].get("blockers").isEmpty();
                });
                JsonNode plan = planSeen[0];
                long estimatedBytes = plan.get("estimatedLossBytes").asLong();
                long estimatedMillis = plan.get("estimatedLossMillis").asLong();
                long unseenMillis = plan.get("unseenMillis").asLong();
                assertTrue(unseenMillis > 0, "a city out of sight may have acknowledged unseen: the plan says for how long " + plan);
                System.out.println("lab-dr: the plan: " + plan);
                long promotionBegan = System.currentTimeMillis();
                var answer = api.post("/api/clusters/" + CLUSTER + "/dr/promote", "{\"to\":\"IDC3\",\"mode\":\"latest\",\"acceptLoss\":true}");
                assertEquals(202, answer.status(), answer.body());
                JsonNode task = awaitTask(api, answer.json().get("id").asLong(), Duration.ofMinutes(3));
                assertEquals("succeeded", task.get("status").asText(), task.toString() + logs(h));
                long taskMillis = task.get("finishedMillis").asLong() - task.get("createdMillis").asLong();
                System.out.printf("lab-dr: promotion task %d ms (POST to task end %d ms): %s%n", taskMillis,
                        System.currentTimeMillis() - promotionBegan, task.get("message").asText());
                task.get("steps").forEach(s -> System.out.println("lab-dr:   step " + s));

                // the outside application host writes to the DR city's primaries through the same URI
                ClusterDetail promoted = detail(api);
                for (GroupView g : promoted.groups()) {
                    assertEquals("IDC3", ClusterHealth.primary(g).orElseThrow().idc(), g.name() + " is led from the DR city");
                }
                long[] outsideId = {0};
                long outsideFrom = System.currentTimeMillis();
                Waits.until(Duration.ofSeconds(60), "the outside application writes to the DR city's primaries", () -> {
                    long id = --outsideId[0];
                    LabNetwork.Result r = Psql.run(outsideApp, psql, uri, "INSERT INTO city_coord VALUES (" + id + "); "
                            + "INSERT INTO city_shard VALUES (" + id + "); SELECT host(inet_server_addr())");
                    return r.exit() == 0 && r.output().strip().endsWith(LabNetwork.host("c31").address());
                });
                System.out.printf("lab-dr: the outside application wrote to IDC3 %d ms after the task ended%n",
                        System.currentTimeMillis() - outsideFrom);
                Thread.sleep(5000); // the city's application goes on trying its old primaries while the cut lasts
                long healAt = System.currentTimeMillis();
                long ackedWhileCut = ackedAfter(coordWriter, cutAt) + ackedAfter(shardWriter, cutAt);

                // the cut heals: the main city's old primaries are rewound and rejoin as standbys of the DR city
                cli(h, "lab", "restore");
                ClusterDetail[] last = new ClusterDetail[1];
                try {
                    Waits.until(Duration.ofSeconds(240), "the cluster is fully protected again", () -> {
                        last[0] = detail(api);
                        return ClusterHealth.fullyProtected(last[0]);
                    });
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(e.getMessage() + " (" + (last[0] == null ? "-" : ClusterHealth.whatIsMissing(last[0])) + ")"
                            + logs(h), e);
                }
                long protectedMillis = System.currentTimeMillis() - healAt;
                System.out.printf("lab-dr: fully protected %d ms after the heal%n", protectedMillis);
                long resumedFrom = System.currentTimeMillis();
                awaitMore(coordWriter, 20);
                awaitMore(shardWriter, 20);
                System.out.printf("lab-dr: the city's application writes again (%d ms after full protection)%n",
                        System.currentTimeMillis() - resumedFrom);

                // one writable primary per group, in the DR city: the manager's view and each node's own word
                Map<String, List<String>> writable = writableNodes(detail(api), psql, uri, outsideApp);
                System.out.println("lab-dr: writable nodes per group after the heal: " + writable);
                for (GroupView g : detail(api).groups()) {
                    assertEquals(1, g.nodes().stream().filter(n -> "primary".equals(n.role())).count(), g.name() + ": " + g.nodes());
                    assertEquals(List.of(ClusterHealth.primary(g).orElseThrow().name()), writable.get(g.name()),
                            g.name() + " has exactly one writable primary, the recorded one");
                }

                writers.forEach(AppWriter::close);
                String lostReport = "";
                List<Long> lostAfterPromotion = new ArrayList<>();
                List<Long> unshown = new ArrayList<>();
                long lostBefore = 0;
                for (AppWriter w : List.of(coordWriter, shardWriter)) {
                    String table = w == coordWriter ? "city_coord" : "city_shard";
                    Set<Long> present = ids(Psql.run(outsideApp, psql, uri, "SELECT id FROM " + table + " WHERE id > 0"));
                    List<AppWriter.Ack> acked = w.acked();
                    long beforeCut = acked.stream().filter(a -> a.atMillis() < cutAt).count();
                    long afterCut = acked.stream().filter(a -> a.atMillis() >= cutAt && a.atMillis() < healAt).count();
                    long afterPromotion = acked.stream().filter(a -> a.atMillis() >= promotionBegan).count();
                    long afterPromotionWhileCut = acked.stream().filter(a -> a.atMillis() >= promotionBegan && a.atMillis() < healAt).count();
                    long lastCutAck = acked.stream().filter(a -> a.atMillis() >= cutAt && a.atMillis() < healAt)
                            .mapToLong(AppWriter.Ack::atMillis).max().orElse(cutAt);
                    List<AppWriter.Ack> lostEarlier = acked.stream().filter(a -> a.atMillis() < promotionBegan && !present.contains(a.id())).toList();
                    long lostBeforeCut = lostEarlier.stream().filter(a -> a.atMillis() < cutAt).count();
                    acked.stream().filter(a -> a.atMillis() >= promotionBegan && !present.contains(a.id())).forEach(a -> lostAfterPromotion.add(a.id()));
                    lostBefore += lostEarlier.size();
                    // what the city acknowledged unseen is within the span the plan showed (the DR city stopped hearing it at the cut)
                    lostEarlier.stream().filter(a -> a.atMillis() > cutAt + unseenMillis).forEach(a -> unshown.add(a.id()));
                    String line = String.format("lab-dr: %s: acknowledged %d (%d before the cut, %d after the cut while it lasted, the last "
                                    + "%d ms after it; %d after the promotion began, %d of them while the cut lasted); lost %d acknowledged "
                                    + "before the promotion began (%d of them before the cut), lost after it began %d",
                            table, acked.size(), beforeCut, afterCut, lastCutAck - cutAt, afterPromotion, afterPromotionWhileCut,
                            lostEarlier.size(), lostBeforeCut,
                            acked.stream().filter(a -> a.atMillis() >= promotionBegan && !present.contains(a.id())).count());
                    System.out.println(line);
                    lostReport += line + "\n";
                }
                JsonNode status = api.get("/api/clusters/" + CLUSTER + "/dr").json();
                long actualBytes = 0;
                for (JsonNode p : status.get("promotions")) {
                    actualBytes += p.get("lossBytes").asLong();
                }
                System.out.printf("lab-dr: cut to alert %d ms, alert to promotion %d ms, promotion task %d ms, heal to full protection %d ms; "
                                + "writes acknowledged while cut %d; lost %d writes acknowledged before the promotion began; estimated "
                                + "loss %d bytes, up to %d ms of commits; actual loss against the last known positions %d bytes; test %d s%n",
                        alertAt - cutAt, promotionBegan - alertAt, taskMillis, protectedMillis, ackedWhileCut, lostBefore, estimatedBytes,
                        estimatedMillis, actualBytes, (System.currentTimeMillis() - testStart) / 1000);
                assertEquals(List.of(), lostAfterPromotion, "writes the city's application had acknowledged after the promotion "
                        + "began are missing from the promoted cluster:\n" + lostReport);
                System.out.printf("lab-dr: the plan showed up to %d ms of commits the city may acknowledge unseen%n", unseenMillis);
                assertEquals(List.of(), unshown, "writes lost though acknowledged after the span the plan showed (" + unseenMillis
                        + " ms after the cut):\n" + lostReport);
            } finally {
                for (AppWriter w : writers) {
                    w.close();
                }
                cli(h, "lab", "down");
            }
            assertTrue(!LabNetwork.isUp(), "lab down removes the network");
        }
    }

    /** Per group, the nodes that say they are writable primaries (out of recovery, not read-only), asked from the host. */
    private static Map<String, List<String>> writableNodes(ClusterDetail d, Path psql, String uri, LabHost from) {
        Map<String, List<String>> writable = new LinkedHashMap<>();
        for (GroupView g : d.groups()) {
            List<String> names = new ArrayList<>();
            for (NodeView n : g.nodes()) {
                String one = uri.replaceFirst("@[^/]+/", "@" + n.address() + ":" + n.port() + "/")
                        .replaceFirst("target_session_attrs=read-write&", "");
                LabNetwork.Result r = Psql.run(from, psql, one,
                        "SELECT NOT pg_is_in_recovery() AND current_setting('default_transaction_read_only') = 'off'");
                if (r.exit() == 0 && r.output().strip().equals("t")) {
                    names.add(n.name());
                }
            }
            writable.put(g.name(), names);
        }
        return writable;
    }

    private static long ackedAfter(AppWriter w, long millis) {
        return w.acked().stream().filter(a -> a.atMillis() >= millis).count();
    }

    private static Set<Long> ids(LabNetwork.Result r) {
        assertEquals(0, r.exit(), r.output());
        Set<Long> present = new HashSet<>();
        r.output().lines().map(String::strip).filter(l -> l.matches("-?\\d+")).forEach(l -> present.add(Long.parseLong(l)));
        return present;
    }

    private static void must(LabNetwork.Result r, String what) {
        assertEquals(0, r.exit(), what + ": " + r.output());
    }

    private static JsonNode awaitEvent(ApiCaller api, long afterId, String kind, Duration limit) {
        JsonNode[] found = new JsonNode[1];
        Waits.until(limit, kind, () -> {
            for (JsonNode e : api.get("/api/events?after=" + afterId).json()) {
                if (e.get("kind").asText().equals(kind)) {
                    found[0] = e;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static JsonNode awaitTask(ApiCaller api, long id, Duration limit) {
        JsonNode[] task = new JsonNode[1];
        Waits.until(limit, "task " + id + " ends", () -> {
            task[0] = api.get("/api/tasks/" + id).json();
            return !"running".equals(task[0].get("status").asText());
        });
        return task[0];
    }

    private static long lastEventId(ApiCaller api) {
        long last = 0;
        for (var e : api.get("/api/events").json()) {
            last = Math.max(last, e.get("id").asLong());
        }
        return last;
    }

    private static ClusterDetail detail(ApiCaller api) {
        try {
            return Json.MAPPER.readValue(api.get("/api/clusters/" + CLUSTER).body(), ClusterDetail.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String logs(Path home) {
        return LabLogs.tails(home, 15);
    }

    /** Runs the command line against the lab's home; returns what it printed. */
    private static String cli(Path home, String... args) {
        try (AgentProcess p = AgentProcess.start(home, args)) {
            int exit = p.exitCode(Duration.ofMinutes(5));
            assertEquals(0, exit, String.join(" ", args) + ":\n" + p.logTail() + logs(home));
            return p.logTail();
        }
    }

    /** Runs the command line expecting a refusal: a non-zero exit; returns what it printed. */
    private static String cliFails(Path home, String... args) {
        try (AgentProcess p = AgentProcess.start(home, args)) {
            int exit = p.exitCode(Duration.ofMinutes(1));
            assertTrue(exit > 0, String.join(" ", args) + " exited " + exit + ":\n" + p.logTail());
            return p.logTail();
        }
    }

    private static void awaitMore(AppWriter writer, int writes) {
        int start = writer.acked().size();
        Waits.until(Duration.ofSeconds(120), writes + " more acknowledged writes", () -> writer.acked().size() >= start + writes);
    }
}
